// bench_schema_data.h - the in-memory data of bench_schema: the three data sets of the
// Rust serialization benchmark (log, mesh, minecraft_savedata) as plain C++ values,
// generated from a fixed seed. Every format serializes from these same values.
#ifndef BENCH_SCHEMA_DATA_H
#define BENCH_SCHEMA_DATA_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench_data {

struct Log {
    uint8_t address[4];
    std::string identity, userid, date, request;
    uint16_t code;
    uint64_t size;
};

struct Vector3 {
    float x, y, z;
};
struct Triangle {
    Vector3 v0, v1, v2, normal;
};

struct Item {
    int8_t count;
    uint8_t slot;
    std::string id;
};
struct Abilities {
    float walk_speed, fly_speed;
    bool may_fly, flying, invulnerable, may_build, instabuild;
};
struct Vec3d {
    double x, y, z;
};
struct Entity {
    std::string id;
    Vec3d pos, motion;
    float yaw, pitch;
    float fall_distance;
    uint16_t fire, air;
    bool on_ground, no_gravity, invulnerable;
    int32_t portal_cooldown;
    uint32_t uuid[4];
    std::optional<std::string> custom_name;
    bool custom_name_visible, silent, glowing;
};
struct Vehicle {
    uint32_t uuid[4];
    Entity entity;
};
struct RecipeBook {
    std::vector<std::string> recipes, to_be_displayed;
    // is_filtering_craftable, is_gui_open, is_furnace_filtering_craftable,
    // is_furnace_gui_open, is_blasting_furnace_filtering_craftable,
    // is_blasting_furnace_gui_open, is_smoker_filtering_craftable, is_smoker_gui_open
    bool flags[8];
};
struct Player {
    uint8_t game_type, previous_game_type;  // 0 survival, 1 creative, 2 adventure, 3 spectator
    uint64_t score;
    std::string dimension;
    uint32_t selected_item_slot;
    Item selected_item;
    std::optional<std::string> spawn_dimension;
    int64_t spawn_x, spawn_y, spawn_z;
    std::optional<bool> spawn_forced;
    uint16_t sleep_timer;
    float food_exhaustion_level, food_saturation_level;
    uint32_t food_tick_timer, xp_level;
    float xp_p;
    int32_t xp_total, xp_seed;
    std::vector<Item> inventory, ender_items;
    Abilities abilities;
    std::optional<Vec3d> entered_nether_position;
    std::optional<Vehicle> root_vehicle;
    std::optional<Entity> shoulder_entity_left, shoulder_entity_right;
    bool seen_credits;
    RecipeBook recipe_book;
};

enum { LOG_COUNT = 10000, MESH_TRIANGLES = 125000, PLAYER_COUNT = 500 };

// The data sets, the same for every seed on every machine.
std::vector<Log> make_logs(uint64_t seed);
std::vector<Triangle> make_mesh(uint64_t seed);
std::vector<Player> make_players(uint64_t seed);

struct Data {
    std::vector<Log> logs;
    std::vector<Triangle> mesh;
    std::vector<Player> players;
};

enum Set { LOG, MESH, MINECRAFT, SET_COUNT };

// What a reader of any format must find in the data: a field of the middle element
// (log: size; mesh: normal.x; minecraft: score), the sum of that field over every
// element, and a digest that visits most fields, strings and optional values included.
// Every value summed is exact in a double.
struct Expect {
    double one = 0, sum = 0;
    uint64_t digest_u = 0;
    double digest_f = 0;
    bool operator==(const Expect &o) const {
        return one == o.one && sum == o.sum && digest_u == o.digest_u && digest_f == o.digest_f;
    }
};

// One format with its own generated code. serialize() is what the serialize figure
// times: it builds the data set into the codec's reused buffer (or builder), whose
// bytes output() copies out, ready for the readers. The readers take bytes aligned to
// 8; one(), sum() and digest() want bytes validate() accepted.
class Codec {
public:
    virtual ~Codec() = default;
    virtual void serialize(Set set, const Data &data) = 0;
    virtual std::vector<uint8_t> output() = 0;
    virtual bool validate(Set set, const uint8_t *bytes, size_t size) = 0;
    virtual double one(Set set, const uint8_t *bytes, size_t size) = 0;
    virtual double sum(Set set, const uint8_t *bytes, size_t size) = 0;
    virtual void digest(Set set, const uint8_t *bytes, size_t size, Expect &e) = 0;
};

Codec *make_zcs_codec();
Codec *make_flatbuffers_codec();
Codec *make_capnp_codec();

// The floor of the validate figure on `log`: the least a validator of zcpack's log
// bytes does, with nothing of SPEC.md 16.8 that is not needed to reach every byte
// safely: the root's array and every Log pointer followed and checked to lie in the
// buffer, every string's bytes and NUL checked to lie in it and the NUL read. No
// UTF-8, struct_size, alignment, depth or budget check. True when the bytes pass.
bool zcs_log_walk(const uint8_t *bytes, size_t size);

// The data set as a JSON document for `zcpack schema <set>.zcs --encode`, whose
// output the zcpack codec's serialize() must reproduce byte for byte.
std::string zcs_json_document(Set set, const Data &data);

// The expected values, from the in-memory data.
Expect expect_of(Set set, const Data &data);

}  // namespace bench_data

#endif  // BENCH_SCHEMA_DATA_H
