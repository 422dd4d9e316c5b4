// bench_schema_flatbuffers.cpp - FlatBuffers' codec in bench_schema: the C++ code flatc
// generates from log.fbs, mesh.fbs and minecraft.fbs. Serialize builds bottom-up into
// one FlatBufferBuilder reused across runs (Clear()); validate is the generated
// Verify<Root>Buffer with flatbuffers::Verifier (depth 64, no practical table limit);
// readers are the generated accessors.
#include <vector>

#include "bench_schema_data.h"

#include "log_generated.h"
#include "mesh_generated.h"
#include "minecraft_generated.h"

namespace {

namespace bd = bench_data;
using bench_data::Expect;
using bench_data::Set;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

Offset<fb_mc::Item> put_item(FlatBufferBuilder &b, const bd::Item &item) {
    auto id = b.CreateString(item.id);
    return fb_mc::CreateItem(b, item.count, item.slot, id);
}

Offset<flatbuffers::Vector<Offset<fb_mc::Item>>> put_items(FlatBufferBuilder &b, const std::vector<bd::Item> &items,
                                                          std::vector<Offset<fb_mc::Item>> &scratch) {
    scratch.clear();
    for (const bd::Item &i : items) scratch.push_back(put_item(b, i));
    return b.CreateVector(scratch);
}

fb_mc::Uuid uuid_of(const uint32_t (&u)[4]) { return fb_mc::Uuid(u[0], u[1], u[2], u[3]); }
fb_mc::Vec3d vec3d_of(const bd::Vec3d &v) { return fb_mc::Vec3d(v.x, v.y, v.z); }

Offset<fb_mc::Entity> put_entity(FlatBufferBuilder &b, const bd::Entity &e) {
    auto id = b.CreateString(e.id);
    Offset<flatbuffers::String> name = e.custom_name ? b.CreateString(*e.custom_name) : 0;
    fb_mc::Vec3d pos = vec3d_of(e.pos), motion = vec3d_of(e.motion);
    fb_mc::Rotation rotation(e.yaw, e.pitch);
    fb_mc::Uuid uuid = uuid_of(e.uuid);
    return fb_mc::CreateEntity(b, id, &pos, &motion, &rotation, e.fall_distance, e.fire, e.air, e.on_ground,
                               e.no_gravity, e.invulnerable, e.portal_cooldown, &uuid, name, e.custom_name_visible,
                               e.silent, e.glowing);
}

Offset<flatbuffers::Vector<Offset<flatbuffers::String>>> put_strings(FlatBufferBuilder &b,
                                                                    const std::vector<std::string> &strings,
                                                                    std::vector<Offset<flatbuffers::String>> &scratch) {
    scratch.clear();
    for (const std::string &s : strings) scratch.push_back(b.CreateString(s));
    return b.CreateVector(scratch);
}

class FlatBuffersCodec final : public bd::Codec {
public:
    FlatBuffersCodec() : b_(1 << 20) {}

    void serialize(Set set, const bd::Data &data) override {
        b_.Clear();
        switch (set) {
        case bd::LOG: put_logs(data.logs); break;
        case bd::MESH: put_mesh(data.mesh); break;
        default: put_players(data.players); break;
        }
    }
    std::vector<uint8_t> output() override {
        return std::vector<uint8_t>(b_.GetBufferPointer(), b_.GetBufferPointer() + b_.GetSize());
    }

    bool validate(Set set, const uint8_t *bytes, size_t size) override {
        flatbuffers::Verifier v(bytes, size, 64, 0x7fffffff);
        switch (set) {
        case bd::LOG: return fb_log::VerifyLogsBuffer(v);
        case bd::MESH: return fb_mesh::VerifyMeshBuffer(v);
        default: return fb_mc::VerifyPlayersBuffer(v);
        }
    }

    double one(Set set, const uint8_t *bytes, size_t) override {
        switch (set) {
        case bd::LOG: {
            auto logs = fb_log::GetLogs(bytes)->logs();
            return (double)logs->Get(logs->size() / 2)->size();
        }
        case bd::MESH: {
            auto triangles = fb_mesh::GetMesh(bytes)->triangles();
            return triangles->Get(triangles->size() / 2)->normal().x();
        }
        default: {
            auto players = fb_mc::GetPlayers(bytes)->players();
            return (double)players->Get(players->size() / 2)->score();
        }
        }
    }

    double sum(Set set, const uint8_t *bytes, size_t) override {
        switch (set) {
        case bd::LOG: {
            uint64_t s = 0;
            for (const fb_log::Log *l : *fb_log::GetLogs(bytes)->logs()) s += l->size();
            return (double)s;
        }
        case bd::MESH: {
            double total = 0;
            for (const fb_mesh::Triangle *t : *fb_mesh::GetMesh(bytes)->triangles()) total += t->normal().x();
            return total;
        }
        default: {
            uint64_t s = 0;
            for (const fb_mc::Player *p : *fb_mc::GetPlayers(bytes)->players()) s += p->score();
            return (double)s;
        }
        }
    }

    void digest(Set set, const uint8_t *bytes, size_t size, Expect &x) override {
        x.one = one(set, bytes, size);
        x.sum = sum(set, bytes, size);
        if (set == bd::LOG) {
            for (const fb_log::Log *l : *fb_log::GetLogs(bytes)->logs()) {
                const fb_log::Address *a = l->address();
                x.digest_u += a->x0() + a->x1() + a->x2() + a->x3() + l->code() + l->identity()->size() +
                              l->userid()->size() + l->date()->size() + l->request()->size() +
                              (uint8_t)l->request()->c_str()[0];
            }
        } else if (set == bd::MESH) {
            for (const fb_mesh::Triangle *t : *fb_mesh::GetMesh(bytes)->triangles()) {
                const fb_mesh::Vector3 *v[4] = { &t->v0(), &t->v1(), &t->v2(), &t->normal() };
                for (const fb_mesh::Vector3 *p : v) x.digest_f += (double)p->x() + p->y() + p->z();
                x.digest_u += 1;
            }
        } else {
            for (const fb_mc::Player *p : *fb_mc::GetPlayers(bytes)->players()) player_digest(p, x);
        }
    }

private:
    void put_logs(const std::vector<bd::Log> &logs) {
        logs_.clear();
        for (const bd::Log &l : logs) {
            auto identity = b_.CreateString(l.identity), userid = b_.CreateString(l.userid);
            auto date = b_.CreateString(l.date), request = b_.CreateString(l.request);
            fb_log::Address address(l.address[0], l.address[1], l.address[2], l.address[3]);
            logs_.push_back(fb_log::CreateLog(b_, &address, identity, userid, date, request, l.code, l.size));
        }
        b_.Finish(fb_log::CreateLogs(b_, b_.CreateVector(logs_)));
    }

    void put_mesh(const std::vector<bd::Triangle> &mesh) {
        fb_mesh::Triangle *out = nullptr;
        auto triangles = b_.CreateUninitializedVectorOfStructs(mesh.size(), &out);
        for (const bd::Triangle &t : mesh) {
            auto v = [](const bd::Vector3 &p) { return fb_mesh::Vector3(p.x, p.y, p.z); };
            *out++ = fb_mesh::Triangle(v(t.v0), v(t.v1), v(t.v2), v(t.normal));
        }
        b_.Finish(fb_mesh::CreateMesh(b_, triangles));
    }

    void put_players(const std::vector<bd::Player> &players) {
        players_.clear();
        for (const bd::Player &p : players) {
            auto dimension = b_.CreateString(p.dimension);
            auto selected = put_item(b_, p.selected_item);
            Offset<flatbuffers::String> spawn_dimension = p.spawn_dimension ? b_.CreateString(*p.spawn_dimension) : 0;
            auto inventory = put_items(b_, p.inventory, items_);
            auto ender = put_items(b_, p.ender_items, items_);
            Offset<fb_mc::Vehicle> vehicle = 0;
            if (p.root_vehicle) {
                auto entity = put_entity(b_, p.root_vehicle->entity);
                fb_mc::Uuid uuid = uuid_of(p.root_vehicle->uuid);
                vehicle = fb_mc::CreateVehicle(b_, &uuid, entity);
            }
            Offset<fb_mc::Entity> left = p.shoulder_entity_left ? put_entity(b_, *p.shoulder_entity_left) : 0;
            Offset<fb_mc::Entity> right = p.shoulder_entity_right ? put_entity(b_, *p.shoulder_entity_right) : 0;
            auto recipes = put_strings(b_, p.recipe_book.recipes, strings_);
            auto displayed = put_strings(b_, p.recipe_book.to_be_displayed, strings_);
            const bool *f = p.recipe_book.flags;
            auto book = fb_mc::CreateRecipeBook(b_, recipes, displayed, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
            const bd::Abilities &a = p.abilities;
            fb_mc::Abilities abilities(a.walk_speed, a.fly_speed, a.may_fly, a.flying, a.invulnerable, a.may_build,
                                       a.instabuild);
            fb_mc::Vec3d nether;
            if (p.entered_nether_position) nether = vec3d_of(*p.entered_nether_position);
            flatbuffers::Optional<bool> forced = flatbuffers::nullopt;
            if (p.spawn_forced) forced = *p.spawn_forced;
            players_.push_back(fb_mc::CreatePlayer(
                b_, (fb_mc::GameType)p.game_type, (fb_mc::GameType)p.previous_game_type, p.score, dimension,
                p.selected_item_slot, selected, spawn_dimension, p.spawn_x, p.spawn_y, p.spawn_z, forced,
                p.sleep_timer, p.food_exhaustion_level, p.food_saturation_level, p.food_tick_timer, p.xp_level, p.xp_p,
                p.xp_total, p.xp_seed, inventory, ender, &abilities, p.entered_nether_position ? &nether : nullptr,
                vehicle, left, right, p.seen_credits, book));
        }
        b_.Finish(fb_mc::CreatePlayers(b_, b_.CreateVector(players_)));
    }

    static uint64_t item_digest(const fb_mc::Item *i) { return (uint8_t)i->count() + 256u * i->slot() + i->id()->size(); }

    static void entity_digest(const fb_mc::Entity *e, Expect &x) {
        const fb_mc::Uuid *u = e->uuid();
        x.digest_u += (uint64_t)e->id()->size() + e->fire() + e->air() + e->on_ground() + 2u * e->no_gravity() +
                      4u * e->invulnerable() + (uint32_t)e->portal_cooldown() + u->x0() + u->x1() + u->x2() + u->x3();
        if (e->custom_name()) x.digest_u += 1 + e->custom_name()->size();
        x.digest_u += e->custom_name_visible() + 2u * e->silent() + 4u * e->glowing();
        x.digest_f += e->pos()->x() + e->pos()->y() + e->pos()->z() + e->motion()->x() + e->rotation()->yaw() +
                      e->rotation()->pitch() + e->fall_distance();
    }

    static void player_digest(const fb_mc::Player *p, Expect &x) {
        x.digest_u += (uint64_t)(uint8_t)p->game_type() + 4u * (uint8_t)p->previous_game_type() + p->dimension()->size() +
                      p->selected_item_slot() + item_digest(p->selected_item());
        if (p->spawn_dimension()) x.digest_u += 1 + p->spawn_dimension()->size();
        x.digest_u += (uint64_t)p->spawn_x() + (uint64_t)p->spawn_y() + (uint64_t)p->spawn_z();
        if (p->spawn_forced()) x.digest_u += 1 + (uint64_t)*p->spawn_forced();
        x.digest_u += p->sleep_timer() + p->food_tick_timer() + p->xp_level() + (uint32_t)p->xp_total() +
                      (uint32_t)p->xp_seed();
        if (p->inventory())
            for (const fb_mc::Item *i : *p->inventory()) x.digest_u += item_digest(i);
        if (p->ender_items())
            for (const fb_mc::Item *i : *p->ender_items()) x.digest_u += item_digest(i);
        const fb_mc::Abilities *a = p->abilities();
        x.digest_u += a->may_fly() + 2u * a->flying() + 4u * a->invulnerable() + 8u * a->may_build() +
                      16u * a->instabuild();
        x.digest_f += p->food_exhaustion_level() + p->food_saturation_level() + p->xp_p() + a->walk_speed() +
                      a->fly_speed();
        if (const fb_mc::Vec3d *v = p->entered_nether_position()) {
            x.digest_u += 1;
            x.digest_f += v->x() + v->y() + v->z();
        }
        if (const fb_mc::Vehicle *v = p->root_vehicle()) {
            x.digest_u += 1 + v->uuid()->x0() + v->uuid()->x3();
            entity_digest(v->entity(), x);
        }
        if (p->shoulder_entity_left()) entity_digest(p->shoulder_entity_left(), x);
        if (p->shoulder_entity_right()) entity_digest(p->shoulder_entity_right(), x);
        x.digest_u += p->seen_credits();
        const fb_mc::RecipeBook *b = p->recipe_book();
        if (b->recipes())
            for (const flatbuffers::String *s : *b->recipes()) x.digest_u += s->size();
        if (b->to_be_displayed())
            for (const flatbuffers::String *s : *b->to_be_displayed()) x.digest_u += s->size();
        x.digest_u += (uint64_t)b->is_filtering_craftable() | (uint64_t)b->is_gui_open() << 1 |
                      (uint64_t)b->is_furnace_filtering_craftable() << 2 | (uint64_t)b->is_furnace_gui_open() << 3 |
                      (uint64_t)b->is_blasting_furnace_filtering_craftable() << 4 |
                      (uint64_t)b->is_blasting_furnace_gui_open() << 5 |
                      (uint64_t)b->is_smoker_filtering_craftable() << 6 | (uint64_t)b->is_smoker_gui_open() << 7;
    }

    FlatBufferBuilder b_;
    std::vector<Offset<fb_log::Log>> logs_;
    std::vector<Offset<fb_mc::Player>> players_;
    std::vector<Offset<fb_mc::Item>> items_;
    std::vector<Offset<flatbuffers::String>> strings_;
};

}  // namespace

namespace bench_data {
Codec *make_flatbuffers_codec() { return new FlatBuffersCodec(); }
}  // namespace bench_data
