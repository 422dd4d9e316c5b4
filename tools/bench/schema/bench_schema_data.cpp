// bench_schema_data.cpp - the three data sets of bench_schema, generated from a fixed
// seed with zc_bench_rand (splitmix64): the shapes and counts of the Rust
// serialization benchmark's log, mesh and minecraft_savedata, with values drawn here.
#include "bench_schema_data.h"

#include <cmath>
#include <cstdio>

extern "C" {
#include "zc_bench_util.h"
}

namespace bench_data {

namespace {

struct Rng {
    uint64_t state;
    uint64_t next() { return zc_bench_rand(&state); }
    uint64_t below(uint64_t bound) { return zc_bench_rand_below(&state, bound); }
    int64_t range(int64_t lo, int64_t hi) { return lo + (int64_t)below((uint64_t)(hi - lo + 1)); }
    bool coin() { return (next() & 1) != 0; }
    double unit() { return (double)(next() >> 11) * (1.0 / 9007199254740992.0); }
    float unit_f() { return (float)unit(); }
    template <size_t N> const char *pick(const char *const (&list)[N]) { return list[below(N)]; }
};

const char *const userids[] = { "-", "alice", "bob", "carmen", "david", "eric", "frank", "george", "harry" };
const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
const char *const zones[] = { "-0700", "-0500", "+0000", "+0100", "+0530", "+0900" };
const char *const path_words[] = { "index", "images", "img", "static", "assets", "css", "js", "api", "users",
                                   "posts", "2020", "downloads", "docs", "search", "favicon", "logo" };
const char *const extensions[] = { ".html", ".png", ".jpg", ".css", ".js", ".json", "" };
const char *const methods[] = { "GET", "GET", "GET", "POST", "HEAD" };
const uint16_t codes[] = { 200, 200, 200, 204, 206, 301, 302, 304, 400, 403, 404, 500 };

const char *const item_ids[] = {
    "minecraft:dirt", "minecraft:stone", "minecraft:cobblestone", "minecraft:oak_planks", "minecraft:torch",
    "minecraft:iron_ingot", "minecraft:gold_ingot", "minecraft:diamond", "minecraft:diamond_sword",
    "minecraft:iron_pickaxe", "minecraft:bread", "minecraft:cooked_beef", "minecraft:arrow", "minecraft:bow",
    "minecraft:redstone", "minecraft:oak_log", "minecraft:glass", "minecraft:crafting_table", "minecraft:furnace",
    "minecraft:chest", "minecraft:bucket", "minecraft:water_bucket", "minecraft:ender_pearl", "minecraft:obsidian",
};
const char *const entity_ids[] = { "minecraft:parrot", "minecraft:pig", "minecraft:horse", "minecraft:boat",
                                   "minecraft:minecart", "minecraft:strider", "minecraft:llama" };
const char *const dimensions[] = { "minecraft:overworld", "minecraft:the_nether", "minecraft:the_end" };
const char *const recipe_ids[] = {
    "minecraft:crafting_table", "minecraft:oak_planks", "minecraft:stick", "minecraft:torch", "minecraft:furnace",
    "minecraft:chest", "minecraft:wooden_pickaxe", "minecraft:stone_pickaxe", "minecraft:iron_pickaxe",
    "minecraft:iron_ingot_from_smelting_raw_iron", "minecraft:bread", "minecraft:bucket", "minecraft:shield",
    "minecraft:bed", "minecraft:ladder", "minecraft:oak_door", "minecraft:glass_pane", "minecraft:campfire",
};
const char *const names[] = { "Polly", "Bacon", "Shadowfax", "Rosie", "Captain", "Bubbles", "Nugget", "Sir Oink" };

// A short text of printable ASCII, like a player's name for a pet.
std::string name_of(Rng &rng) {
    std::string s = rng.pick(names);
    if (rng.coin()) s += " " + std::to_string(rng.below(1000));
    return s;
}

}  // namespace

std::vector<Log> make_logs(uint64_t seed) {
    Rng rng{ seed };
    std::vector<Log> logs(LOG_COUNT);
    for (Log &l : logs) {
        for (uint8_t &b : l.address) b = (uint8_t)rng.below(256);
        l.identity = "-";
        l.userid = rng.pick(userids);
        char date[64];
        snprintf(date, sizeof date, "%02d/%s/%04d:%02d:%02d:%02d %s", (int)rng.range(1, 28), rng.pick(months),
                 (int)rng.range(1995, 2025), (int)rng.below(24), (int)rng.below(60), (int)rng.below(60), rng.pick(zones));
        l.date = date;
        std::string path;
        for (int64_t i = 0, n = rng.range(1, 4); i < n; ++i) path += std::string("/") + rng.pick(path_words);
        l.request = std::string(rng.pick(methods)) + " " + path + rng.pick(extensions) + " HTTP/1.1";
        l.code = codes[rng.below(sizeof codes / sizeof codes[0])];
        l.size = rng.below(100000000);
    }
    return logs;
}

std::vector<Triangle> make_mesh(uint64_t seed) {
    Rng rng{ seed };
    std::vector<Triangle> mesh(MESH_TRIANGLES);
    auto vertex = [&rng] { return Vector3{ rng.unit_f() * 2 - 1, rng.unit_f() * 2 - 1, rng.unit_f() * 2 - 1 }; };
    for (Triangle &t : mesh) {
        t.v0 = vertex();
        t.v1 = vertex();
        t.v2 = vertex();
        float ax = t.v1.x - t.v0.x, ay = t.v1.y - t.v0.y, az = t.v1.z - t.v0.z;
        float bx = t.v2.x - t.v0.x, by = t.v2.y - t.v0.y, bz = t.v2.z - t.v0.z;
        Vector3 n{ ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx };
        float length = std::sqrt(n.x * n.x + n.y * n.y + n.z * n.z);
        if (length > 0) n = Vector3{ n.x / length, n.y / length, n.z / length };
        t.normal = n;
    }
    return mesh;
}

namespace {

Item make_item(Rng &rng) {
    return Item{ (int8_t)rng.range(1, 64), (uint8_t)rng.below(36), rng.pick(item_ids) };
}

Vec3d make_vec3d(Rng &rng, double scale) {
    return Vec3d{ (rng.unit() * 2 - 1) * scale, (rng.unit() * 2 - 1) * scale, (rng.unit() * 2 - 1) * scale };
}

Entity make_entity(Rng &rng) {
    Entity e;
    e.id = rng.pick(entity_ids);
    e.pos = make_vec3d(rng, 10000);
    e.motion = make_vec3d(rng, 1);
    e.yaw = rng.unit_f() * 360;
    e.pitch = rng.unit_f() * 180 - 90;
    e.fall_distance = rng.unit_f() * 4;
    e.fire = (uint16_t)rng.below(400);
    e.air = (uint16_t)rng.below(301);
    e.on_ground = rng.coin();
    e.no_gravity = rng.coin();
    e.invulnerable = rng.coin();
    e.portal_cooldown = (int32_t)rng.below(300);
    for (uint32_t &u : e.uuid) u = (uint32_t)rng.next();
    if (rng.coin()) e.custom_name = name_of(rng);
    e.custom_name_visible = rng.coin();
    e.silent = rng.coin();
    e.glowing = rng.coin();
    return e;
}

}  // namespace

std::vector<Player> make_players(uint64_t seed) {
    Rng rng{ seed };
    std::vector<Player> players(PLAYER_COUNT);
    for (Player &p : players) {
        p.game_type = (uint8_t)rng.below(4);
        p.previous_game_type = (uint8_t)rng.below(4);
        p.score = rng.below(1000000);
        p.dimension = rng.pick(dimensions);
        p.selected_item_slot = (uint32_t)rng.below(9);
        p.selected_item = make_item(rng);
        if (rng.coin()) p.spawn_dimension = rng.pick(dimensions);
        p.spawn_x = rng.range(-1000000, 1000000);
        p.spawn_y = rng.range(0, 255);
        p.spawn_z = rng.range(-1000000, 1000000);
        switch (rng.below(3)) {
        case 0: break;
        case 1: p.spawn_forced = false; break;
        default: p.spawn_forced = true; break;
        }
        p.sleep_timer = (uint16_t)rng.below(101);
        p.food_exhaustion_level = rng.unit_f() * 4;
        p.food_saturation_level = rng.unit_f() * 20;
        p.food_tick_timer = (uint32_t)rng.below(80);
        p.xp_level = (uint32_t)rng.below(100);
        p.xp_p = rng.unit_f();
        p.xp_total = (int32_t)rng.below(100000);
        p.xp_seed = (int32_t)rng.next();
        p.inventory.resize(rng.below(43));
        for (Item &i : p.inventory) i = make_item(rng);
        p.ender_items.resize(rng.below(28));
        for (Item &i : p.ender_items) i = make_item(rng);
        p.abilities = Abilities{ 0.1f, 0.05f, rng.coin(), rng.coin(), rng.coin(), rng.coin(), rng.coin() };
        if (rng.coin()) p.entered_nether_position = make_vec3d(rng, 10000);
        if (rng.coin()) {
            Vehicle v;
            for (uint32_t &u : v.uuid) u = (uint32_t)rng.next();
            v.entity = make_entity(rng);
            p.root_vehicle = v;
        }
        if (rng.coin()) p.shoulder_entity_left = make_entity(rng);
        if (rng.coin()) p.shoulder_entity_right = make_entity(rng);
        p.seen_credits = rng.coin();
        p.recipe_book.recipes.resize(rng.below(51));
        for (std::string &r : p.recipe_book.recipes) r = rng.pick(recipe_ids);
        p.recipe_book.to_be_displayed.resize(rng.below(11));
        for (std::string &r : p.recipe_book.to_be_displayed) r = rng.pick(recipe_ids);
        for (bool &f : p.recipe_book.flags) f = rng.coin();
    }
    return players;
}


namespace {

uint64_t item_digest(const Item &i) { return (uint8_t)i.count + 256u * i.slot + i.id.size(); }

void entity_digest(const Entity &e, Expect &x) {
    x.digest_u += e.id.size() + e.fire + e.air + e.on_ground + 2u * e.no_gravity + 4u * e.invulnerable +
                  (uint32_t)e.portal_cooldown + e.uuid[0] + e.uuid[1] + e.uuid[2] + e.uuid[3];
    if (e.custom_name) x.digest_u += 1 + e.custom_name->size();
    x.digest_u += e.custom_name_visible + 2u * e.silent + 4u * e.glowing;
    x.digest_f += e.pos.x + e.pos.y + e.pos.z + e.motion.x + e.yaw + e.pitch + e.fall_distance;
}

void player_digest(const Player &p, Expect &x) {
    x.digest_u += p.game_type + 4u * p.previous_game_type + p.dimension.size() + p.selected_item_slot +
                  item_digest(p.selected_item);
    if (p.spawn_dimension) x.digest_u += 1 + p.spawn_dimension->size();
    x.digest_u += (uint64_t)p.spawn_x + (uint64_t)p.spawn_y + (uint64_t)p.spawn_z;
    if (p.spawn_forced) x.digest_u += 1 + (uint64_t)*p.spawn_forced;
    x.digest_u += p.sleep_timer + p.food_tick_timer + p.xp_level + (uint32_t)p.xp_total + (uint32_t)p.xp_seed;
    for (const Item &i : p.inventory) x.digest_u += item_digest(i);
    for (const Item &i : p.ender_items) x.digest_u += item_digest(i);
    const Abilities &a = p.abilities;
    x.digest_u += a.may_fly + 2u * a.flying + 4u * a.invulnerable + 8u * a.may_build + 16u * a.instabuild;
    x.digest_f += p.food_exhaustion_level + p.food_saturation_level + p.xp_p + a.walk_speed + a.fly_speed;
    if (p.entered_nether_position) {
        x.digest_u += 1;
        x.digest_f += p.entered_nether_position->x + p.entered_nether_position->y + p.entered_nether_position->z;
    }
    if (p.root_vehicle) {
        x.digest_u += 1 + p.root_vehicle->uuid[0] + p.root_vehicle->uuid[3];
        entity_digest(p.root_vehicle->entity, x);
    }
    if (p.shoulder_entity_left) entity_digest(*p.shoulder_entity_left, x);
    if (p.shoulder_entity_right) entity_digest(*p.shoulder_entity_right, x);
    x.digest_u += p.seen_credits;
    for (const std::string &r : p.recipe_book.recipes) x.digest_u += r.size();
    for (const std::string &r : p.recipe_book.to_be_displayed) x.digest_u += r.size();
    uint64_t flags = 0;
    for (int i = 0; i < 8; ++i) flags |= (uint64_t)p.recipe_book.flags[i] << i;
    x.digest_u += flags;
}

}  // namespace

Expect expect_of(Set set, const Data &data) {
    Expect x;
    if (set == LOG) {
        uint64_t sum = 0;
        for (const Log &l : data.logs) {
            sum += l.size;
            x.digest_u += l.address[0] + l.address[1] + l.address[2] + l.address[3] + l.code + l.identity.size() +
                          l.userid.size() + l.date.size() + l.request.size() + (uint8_t)l.request[0];
        }
        x.one = (double)data.logs[data.logs.size() / 2].size;
        x.sum = (double)sum;
    } else if (set == MESH) {
        for (const Triangle &t : data.mesh) {
            x.sum += t.normal.x;
            for (const Vector3 *v : { &t.v0, &t.v1, &t.v2, &t.normal }) x.digest_f += (double)v->x + v->y + v->z;
            x.digest_u += 1;
        }
        x.one = data.mesh[data.mesh.size() / 2].normal.x;
    } else {
        uint64_t sum = 0;
        for (const Player &p : data.players) {
            sum += p.score;
            player_digest(p, x);
        }
        x.one = (double)data.players[data.players.size() / 2].score;
        x.sum = (double)sum;
    }
    return x;
}

}  // namespace bench_data
