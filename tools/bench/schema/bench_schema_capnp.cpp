// bench_schema_capnp.cpp - Cap'n Proto's codec in bench_schema: the C++ code
// `capnp compile -oc++` generates from log.capnp, mesh.capnp and minecraft.capnp.
//
// Serialize builds the message into one first segment large enough for the whole data
// set, reused across runs (MallocMessageBuilder over a scratch array, which it zeroes
// again when done); the bytes are that segment, with no copy into a flat array.
// output() prepends the segment table (messageToFlatArray), which the readers parse.
// Validate is a full traversal: FlatArrayMessageReader with a traversal limit of the
// message's size in words and a nesting limit of 64, then totalSize() of the root,
// which follows and bounds-checks every pointer of the message; any kj::Exception
// means invalid. Readers use the default ReaderOptions, as an application does.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <vector>

#include "bench_schema_data.h"

#include "log.capnp.h"
#include "mesh.capnp.h"
#include "minecraft.capnp.h"

namespace {

namespace bd = bench_data;
using bench_data::Expect;
using bench_data::Set;

capnp::Text::Reader text(const std::string &s) { return capnp::Text::Reader(s.c_str(), s.size()); }

kj::ArrayPtr<const capnp::word> words_of(const uint8_t *bytes, size_t size) {
    return kj::ArrayPtr<const capnp::word>((const capnp::word *)(const void *)bytes, size / sizeof(capnp::word));
}

void put_item(cp_mc::Item::Builder out, const bd::Item &item) {
    out.setCount(item.count);
    out.setSlot(item.slot);
    out.setId(text(item.id));
}

void put_items(capnp::List<cp_mc::Item>::Builder out, const std::vector<bd::Item> &items) {
    for (unsigned i = 0; i < items.size(); ++i) put_item(out[i], items[i]);
}

void put_vec3d(cp_mc::Vec3d::Builder out, const bd::Vec3d &v) {
    out.setX(v.x);
    out.setY(v.y);
    out.setZ(v.z);
}

void put_uuid(cp_mc::Uuid::Builder out, const uint32_t (&u)[4]) {
    out.setX0(u[0]);
    out.setX1(u[1]);
    out.setX2(u[2]);
    out.setX3(u[3]);
}

void put_entity(cp_mc::Entity::Builder out, const bd::Entity &e) {
    out.setId(text(e.id));
    put_vec3d(out.initPos(), e.pos);
    put_vec3d(out.initMotion(), e.motion);
    auto rotation = out.initRotation();
    rotation.setYaw(e.yaw);
    rotation.setPitch(e.pitch);
    out.setFallDistance(e.fall_distance);
    out.setFire(e.fire);
    out.setAir(e.air);
    out.setOnGround(e.on_ground);
    out.setNoGravity(e.no_gravity);
    out.setInvulnerable(e.invulnerable);
    out.setPortalCooldown(e.portal_cooldown);
    put_uuid(out.initUuid(), e.uuid);
    if (e.custom_name) out.setCustomName(text(*e.custom_name));
    out.setCustomNameVisible(e.custom_name_visible);
    out.setSilent(e.silent);
    out.setGlowing(e.glowing);
}

void put_strings(capnp::List<capnp::Text>::Builder out, const std::vector<std::string> &strings) {
    for (unsigned i = 0; i < strings.size(); ++i) out.set(i, text(strings[i]));
}

void put_player(cp_mc::Player::Builder out, const bd::Player &p) {
    out.setGameType((cp_mc::GameType)p.game_type);
    out.setPreviousGameType((cp_mc::GameType)p.previous_game_type);
    out.setScore(p.score);
    out.setDimension(text(p.dimension));
    out.setSelectedItemSlot(p.selected_item_slot);
    put_item(out.initSelectedItem(), p.selected_item);
    if (p.spawn_dimension) out.setSpawnDimension(text(*p.spawn_dimension));
    out.setSpawnX(p.spawn_x);
    out.setSpawnY(p.spawn_y);
    out.setSpawnZ(p.spawn_z);
    if (p.spawn_forced) out.getSpawnForced().setSpawnForcedValue(*p.spawn_forced);
    else out.getSpawnForced().setNoSpawnForced();
    out.setSleepTimer(p.sleep_timer);
    out.setFoodExhaustionLevel(p.food_exhaustion_level);
    out.setFoodSaturationLevel(p.food_saturation_level);
    out.setFoodTickTimer(p.food_tick_timer);
    out.setXpLevel(p.xp_level);
    out.setXpP(p.xp_p);
    out.setXpTotal(p.xp_total);
    out.setXpSeed(p.xp_seed);
    put_items(out.initInventory((unsigned)p.inventory.size()), p.inventory);
    put_items(out.initEnderItems((unsigned)p.ender_items.size()), p.ender_items);
    auto a = out.initAbilities();
    a.setWalkSpeed(p.abilities.walk_speed);
    a.setFlySpeed(p.abilities.fly_speed);
    a.setMayFly(p.abilities.may_fly);
    a.setFlying(p.abilities.flying);
    a.setInvulnerable(p.abilities.invulnerable);
    a.setMayBuild(p.abilities.may_build);
    a.setInstabuild(p.abilities.instabuild);
    if (p.entered_nether_position) put_vec3d(out.initEnteredNetherPosition(), *p.entered_nether_position);
    if (p.root_vehicle) {
        auto v = out.initRootVehicle();
        put_uuid(v.initUuid(), p.root_vehicle->uuid);
        put_entity(v.initEntity(), p.root_vehicle->entity);
    }
    if (p.shoulder_entity_left) put_entity(out.initShoulderEntityLeft(), *p.shoulder_entity_left);
    if (p.shoulder_entity_right) put_entity(out.initShoulderEntityRight(), *p.shoulder_entity_right);
    out.setSeenCredits(p.seen_credits);
    auto book = out.initRecipeBook();
    put_strings(book.initRecipes((unsigned)p.recipe_book.recipes.size()), p.recipe_book.recipes);
    put_strings(book.initToBeDisplayed((unsigned)p.recipe_book.to_be_displayed.size()), p.recipe_book.to_be_displayed);
    const bool *f = p.recipe_book.flags;
    book.setIsFilteringCraftable(f[0]);
    book.setIsGuiOpen(f[1]);
    book.setIsFurnaceFilteringCraftable(f[2]);
    book.setIsFurnaceGuiOpen(f[3]);
    book.setIsBlastingFurnaceFilteringCraftable(f[4]);
    book.setIsBlastingFurnaceGuiOpen(f[5]);
    book.setIsSmokerFilteringCraftable(f[6]);
    book.setIsSmokerGuiOpen(f[7]);
}

uint64_t item_digest(cp_mc::Item::Reader i) { return (uint8_t)i.getCount() + 256u * i.getSlot() + i.getId().size(); }

void entity_digest(cp_mc::Entity::Reader e, Expect &x) {
    auto u = e.getUuid();
    x.digest_u += e.getId().size() + e.getFire() + e.getAir() + e.getOnGround() + 2u * e.getNoGravity() +
                  4u * e.getInvulnerable() + (uint32_t)e.getPortalCooldown() + u.getX0() + u.getX1() + u.getX2() +
                  u.getX3();
    if (e.hasCustomName()) x.digest_u += 1 + e.getCustomName().size();
    x.digest_u += e.getCustomNameVisible() + 2u * e.getSilent() + 4u * e.getGlowing();
    auto pos = e.getPos();
    auto rot = e.getRotation();
    x.digest_f += pos.getX() + pos.getY() + pos.getZ() + e.getMotion().getX() + rot.getYaw() + rot.getPitch() +
                  e.getFallDistance();
}

void player_digest(cp_mc::Player::Reader p, Expect &x) {
    x.digest_u += (uint8_t)p.getGameType() + 4u * (uint8_t)p.getPreviousGameType() + p.getDimension().size() +
                  p.getSelectedItemSlot() + item_digest(p.getSelectedItem());
    if (p.hasSpawnDimension()) x.digest_u += 1 + p.getSpawnDimension().size();
    x.digest_u += (uint64_t)p.getSpawnX() + (uint64_t)p.getSpawnY() + (uint64_t)p.getSpawnZ();
    if (p.getSpawnForced().isSpawnForcedValue()) x.digest_u += 1 + (uint64_t)p.getSpawnForced().getSpawnForcedValue();
    x.digest_u += p.getSleepTimer() + p.getFoodTickTimer() + p.getXpLevel() + (uint32_t)p.getXpTotal() +
                  (uint32_t)p.getXpSeed();
    for (auto i : p.getInventory()) x.digest_u += item_digest(i);
    for (auto i : p.getEnderItems()) x.digest_u += item_digest(i);
    auto a = p.getAbilities();
    x.digest_u += a.getMayFly() + 2u * a.getFlying() + 4u * a.getInvulnerable() + 8u * a.getMayBuild() +
                  16u * a.getInstabuild();
    x.digest_f += p.getFoodExhaustionLevel() + p.getFoodSaturationLevel() + p.getXpP() + a.getWalkSpeed() +
                  a.getFlySpeed();
    if (p.hasEnteredNetherPosition()) {
        auto v = p.getEnteredNetherPosition();
        x.digest_u += 1;
        x.digest_f += v.getX() + v.getY() + v.getZ();
    }
    if (p.hasRootVehicle()) {
        auto v = p.getRootVehicle();
        x.digest_u += 1 + v.getUuid().getX0() + v.getUuid().getX3();
        entity_digest(v.getEntity(), x);
    }
    if (p.hasShoulderEntityLeft()) entity_digest(p.getShoulderEntityLeft(), x);
    if (p.hasShoulderEntityRight()) entity_digest(p.getShoulderEntityRight(), x);
    x.digest_u += p.getSeenCredits();
    auto b = p.getRecipeBook();
    for (auto s : b.getRecipes()) x.digest_u += s.size();
    for (auto s : b.getToBeDisplayed()) x.digest_u += s.size();
    x.digest_u += (uint64_t)b.getIsFilteringCraftable() | (uint64_t)b.getIsGuiOpen() << 1 |
                  (uint64_t)b.getIsFurnaceFilteringCraftable() << 2 | (uint64_t)b.getIsFurnaceGuiOpen() << 3 |
                  (uint64_t)b.getIsBlastingFurnaceFilteringCraftable() << 4 |
                  (uint64_t)b.getIsBlastingFurnaceGuiOpen() << 5 | (uint64_t)b.getIsSmokerFilteringCraftable() << 6 |
                  (uint64_t)b.getIsSmokerGuiOpen() << 7;
}

class CapnpCodec final : public bd::Codec {
public:
    // kj's owners may throw from their destructors; the codec's never does.
    ~CapnpCodec() noexcept override { builder_ = nullptr; }

    void serialize(Set set, const bd::Data &data) override {
        builder_ = nullptr;
        if (scratch_.size() == 0) scratch_ = zeroed_words(1 << 16);
        builder_ = kj::heap<capnp::MallocMessageBuilder>(scratch_.asPtr());
        switch (set) {
        case bd::LOG: {
            auto logs = builder_->initRoot<cp_log::Logs>().initLogs((unsigned)data.logs.size());
            for (unsigned i = 0; i < data.logs.size(); ++i) {
                const bd::Log &l = data.logs[i];
                auto out = logs[i];
                auto address = out.initAddress();
                address.setX0(l.address[0]);
                address.setX1(l.address[1]);
                address.setX2(l.address[2]);
                address.setX3(l.address[3]);
                out.setIdentity(text(l.identity));
                out.setUserid(text(l.userid));
                out.setDate(text(l.date));
                out.setRequest(text(l.request));
                out.setCode(l.code);
                out.setSize(l.size);
            }
            break;
        }
        case bd::MESH: {
            auto triangles = builder_->initRoot<cp_mesh::Mesh>().initTriangles((unsigned)data.mesh.size());
            for (unsigned i = 0; i < data.mesh.size(); ++i) {
                const bd::Triangle &t = data.mesh[i];
                auto out = triangles[i];
                auto put = [](cp_mesh::Vector3::Builder v, const bd::Vector3 &p) {
                    v.setX(p.x);
                    v.setY(p.y);
                    v.setZ(p.z);
                };
                put(out.initV0(), t.v0);
                put(out.initV1(), t.v1);
                put(out.initV2(), t.v2);
                put(out.initNormal(), t.normal);
            }
            break;
        }
        default: {
            auto players = builder_->initRoot<cp_mc::Players>().initPlayers((unsigned)data.players.size());
            for (unsigned i = 0; i < data.players.size(); ++i) put_player(players[i], data.players[i]);
            break;
        }
        }
    }

    // The serialized message as a flat array. Then, when the message did not fit in
    // one scratch segment, a larger scratch, so the next serialize() writes one segment.
    std::vector<uint8_t> output() override {
        kj::Array<capnp::word> flat = capnp::messageToFlatArray(*builder_);
        auto bytes = flat.asBytes();
        size_t words = builder_->sizeInWords();
        if (builder_->getSegmentsForOutput().size() > 1 || words > scratch_.size()) {
            builder_ = nullptr;
            scratch_ = zeroed_words(words + words / 4 + 64);
        }
        return std::vector<uint8_t>(bytes.begin(), bytes.end());
    }

    bool validate(Set set, const uint8_t *bytes, size_t size) override {
        try {
            capnp::ReaderOptions options;
            options.traversalLimitInWords = size / sizeof(capnp::word);
            options.nestingLimit = 64;
            capnp::FlatArrayMessageReader reader(words_of(bytes, size), options);
            switch (set) {
            case bd::LOG: return reader.getRoot<cp_log::Logs>().totalSize().wordCount > 0;
            case bd::MESH: return reader.getRoot<cp_mesh::Mesh>().totalSize().wordCount > 0;
            default: return reader.getRoot<cp_mc::Players>().totalSize().wordCount > 0;
            }
        } catch (const kj::Exception &) {
            return false;
        }
    }

    double one(Set set, const uint8_t *bytes, size_t size) override {
        capnp::FlatArrayMessageReader reader(words_of(bytes, size));
        switch (set) {
        case bd::LOG: {
            auto logs = reader.getRoot<cp_log::Logs>().getLogs();
            return (double)logs[logs.size() / 2].getSize();
        }
        case bd::MESH: {
            auto triangles = reader.getRoot<cp_mesh::Mesh>().getTriangles();
            return triangles[triangles.size() / 2].getNormal().getX();
        }
        default: {
            auto players = reader.getRoot<cp_mc::Players>().getPlayers();
            return (double)players[players.size() / 2].getScore();
        }
        }
    }

    double sum(Set set, const uint8_t *bytes, size_t size) override {
        capnp::FlatArrayMessageReader reader(words_of(bytes, size));
        switch (set) {
        case bd::LOG: {
            uint64_t s = 0;
            for (auto l : reader.getRoot<cp_log::Logs>().getLogs()) s += l.getSize();
            return (double)s;
        }
        case bd::MESH: {
            double total = 0;
            for (auto t : reader.getRoot<cp_mesh::Mesh>().getTriangles()) total += t.getNormal().getX();
            return total;
        }
        default: {
            uint64_t s = 0;
            for (auto p : reader.getRoot<cp_mc::Players>().getPlayers()) s += p.getScore();
            return (double)s;
        }
        }
    }

    void digest(Set set, const uint8_t *bytes, size_t size, Expect &x) override {
        x.one = one(set, bytes, size);
        x.sum = sum(set, bytes, size);
        capnp::ReaderOptions options;
        options.traversalLimitInWords = UINT64_MAX;
        capnp::FlatArrayMessageReader reader(words_of(bytes, size), options);
        if (set == bd::LOG) {
            for (auto l : reader.getRoot<cp_log::Logs>().getLogs()) {
                auto a = l.getAddress();
                x.digest_u += a.getX0() + a.getX1() + a.getX2() + a.getX3() + l.getCode() + l.getIdentity().size() +
                              l.getUserid().size() + l.getDate().size() + l.getRequest().size() +
                              (uint8_t)l.getRequest().cStr()[0];
            }
        } else if (set == bd::MESH) {
            for (auto t : reader.getRoot<cp_mesh::Mesh>().getTriangles()) {
                cp_mesh::Vector3::Reader v[4] = { t.getV0(), t.getV1(), t.getV2(), t.getNormal() };
                for (auto p : v) x.digest_f += (double)p.getX() + p.getY() + p.getZ();
                x.digest_u += 1;
            }
        } else {
            for (auto p : reader.getRoot<cp_mc::Players>().getPlayers()) player_digest(p, x);
        }
    }

private:
    static kj::Array<capnp::word> zeroed_words(size_t count) {
        kj::Array<capnp::word> words = kj::heapArray<capnp::word>(count);
        memset(words.begin(), 0, count * sizeof(capnp::word));
        return words;
    }

    kj::Array<capnp::word> scratch_;
    kj::Own<capnp::MallocMessageBuilder> builder_;
};

}  // namespace

namespace bench_data {
Codec *make_capnp_codec() { return new CapnpCodec(); }
}  // namespace bench_data
