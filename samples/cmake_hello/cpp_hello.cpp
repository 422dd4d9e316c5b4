// cpp_hello.cpp - the C++ header <zc/zc_pack.hpp> on a pack: results and exceptions,
// holds that release themselves (by path, by id, by entry), a mesh and a scene viewed
// through spans, a texture level's bytes, a stream read in small pieces, a pack set,
// and a mount table that outlives the pack and set handles given to it.
//
//   cpp_hello <pack> <pack set index>     (cmake_pack writes the set)
//
// Exit status 0 when every check holds; the message names the first that does not.
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include <zc/zc_pack.hpp>

static int fail(const char *what) {
    std::fprintf(stderr, "cpp_hello: %s\n", what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) return fail("usage: cpp_hello <pack> <pack set index>");

    zc::result<zc::pack> opened = zc::pack::open(argv[1], ZC_VALIDATE_CHECKSUMS);
    if (!opened) return fail(opened.message());
    zc::pack pack = std::move(opened).value();
    if (pack.entry_count() == 0) return fail("no entries");
    zc::result<zc_pack_info> info = pack.info();
    if (!info || info->entry_count != pack.entry_count()) return fail("info() and entry_count() disagree");
    if (pack.validate(ZC_VALIDATE_FULL) != ZC_OK) return fail("validate(FULL)");

    // A missing entry is a result, not an exception ...
    zc::result<zc::hold> missing = pack.get("no/such/entry");
    if (missing || missing.code() != ZC_ERR_NO_ENTRY) return fail("a missing entry was found");
    // ... unless asked for one.
    bool thrown = false;
    try {
        zc::pack::open_or_throw("no-such-file.zcpack");
    } catch (const zc::error &e) {
        thrown = e.code() == ZC_ERR_FILE_NOT_FOUND && std::string(e.what()).find("no-such-file") != std::string::npos;
    }
    if (!thrown) return fail("open_or_throw did not throw FILE_NOT_FOUND");

    // Bytes as a span, held until the hold goes out of scope.
    std::size_t commas = 0;
    {
        zc::hold text = pack.get_or_throw("text/strings_en.csv");
        for (std::byte b : text.bytes()) commas += b == std::byte{','};
        if (text.path() != "text/strings_en.csv") return fail("the hold's path");
    }
    if (commas == 0) return fail("no comma in the CSV");

    // The same entry by id and by entry, and as a stream read 7 bytes at a time.
    zc::result<zc_entry> csv = pack.find("text/strings_en.csv");
    if (!csv) return fail(csv.message());
    zc::result<zc::hold> by_id = pack.get_id(csv->id);
    zc::result<zc::hold> by_entry = pack.acquire(*csv);
    if (!by_id || !by_entry || by_id->bytes().size() != by_entry->bytes().size() ||
        std::memcmp(by_id->bytes().data(), by_entry->bytes().data(), by_id->bytes().size()) != 0)
        return fail("get_id and acquire give other bytes");
    zc::result<zc::stream> csv_stream = zc::stream::open(pack, "text/strings_en.csv");
    if (!csv_stream || csv_stream->size() != by_id->bytes().size()) return fail("stream size");
    std::size_t streamed = 0;
    for (;;) {
        std::byte piece[7];
        zc::result<std::size_t> n = csv_stream->read(zc::span<std::byte>(piece, sizeof piece));
        if (!n) return fail(n.message());
        if (*n == 0) break;
        if (streamed + *n > by_id->bytes().size() ||
            std::memcmp(piece, by_id->bytes().data() + streamed, *n) != 0)
            return fail("the stream reads other bytes");
        streamed += *n;
    }
    if (streamed != by_id->bytes().size() || csv_stream->tell() != streamed) return fail("the stream ends early");
    if (csv_stream->seek(0) != ZC_OK || csv_stream->tell() != 0) return fail("stream seek");
    if (zc::stream::open(pack, "no/such/entry").code() != ZC_ERR_NO_ENTRY) return fail("a stream of nothing");

    // A texture level's bytes; past the last level, a result without a value.
    zc::hold bricks = pack.get_or_throw("textures/bricks.png");
    zc::result<zc_texture_view> texture = bricks.texture();
    if (!texture) return fail(texture.message());
    zc::result<zc_texture_level_view> top = zc::level(*texture, 0);
    if (!top || top->width != texture->width || zc::bytes(*top).size() != top->size || zc::bytes(*top).empty())
        return fail("texture level 0");
    if (zc::level(*texture, texture->mip_count).code() != ZC_ERR_NO_ENTRY) return fail("a level past the last");

    // A typed view: a mesh's indices as a span, each inside the vertex count.
    zc::hold mesh_hold = pack.get_or_throw("scene/demo.gltf#mesh/0");
    zc::result<zc_mesh_view> mesh = mesh_hold.mesh();
    if (!mesh) return fail(mesh.message());
    std::size_t indices = 0;
    for (std::uint32_t i : zc::indices16(*mesh)) indices += i < mesh->vertex_count;
    for (std::uint32_t i : zc::indices32(*mesh)) indices += i < mesh->vertex_count;
    if (indices != mesh->index_count || indices == 0) return fail("mesh indices out of range");
    if (mesh_hold.texture()) return fail("a mesh viewed as a texture");
    for (const zc_submesh &sub : zc::submeshes(*mesh)) {
        if (sub.material == 0) continue;
        zc::result<zc_entry> material = pack.resolve(sub.material, ZC_TYPE_MATERIAL);
        if (!material || !pack.acquire(*material)->material()) return fail("a submesh's material");
    }
    if (zc::attributes(*mesh).empty()) return fail("a mesh without vertex attributes");

    // A scene's nodes: parents before children.
    zc::hold scene_hold = pack.get_or_throw("scene/demo.gltf");
    zc::result<zc_scene_view> scene = scene_hold.scene();
    if (!scene || zc::nodes(*scene).empty()) return fail("the scene");
    std::int32_t node_index = 0;
    for (const zc_scene_node &node : zc::nodes(*scene))
        if (node.parent >= node_index++) return fail("a node before its parent");

    // A pack set: textures in a member of their own, the rest in another.
    zc::result<zc::pack_set> set = zc::pack_set::open(argv[2], ZC_VALIDATE_FULL);
    if (!set) return fail(set.message());
    if (set->member_count() != 2 || set->entry_count() != pack.entry_count()) return fail("the pack set's counts");
    zc::result<zc::hold> leaves = set->get("textures/leaves.png");
    if (!leaves || !leaves->texture() || !set->get_id(leaves->entry().id)) return fail("a texture of the set");

    // A mount table keeps the pack and the set alive after their handles are gone.
    zc::result<zc::mounts> table = zc::mounts::create();
    if (!table) return fail(table.message());
    if (table->add(pack, 0, "base/") != ZC_OK) return fail("mount");
    if (table->add(*set, 1, "set/") != ZC_OK) return fail("mount the set");
    std::uint64_t sky_id = pack.find("shaders/sky.glsl")->id;
    pack = zc::pack(); // the handle closes; the table still holds the pack
    set = zc::pack_set();
    zc::result<zc::hold> sky = table->get("base/shaders/sky.glsl");
    if (!sky || sky->bytes().empty()) return fail("a mounted entry");
    if (!table->get("set/textures/leaves.png") || !table->get_id(sky_id)) return fail("a mounted entry of the set");
    if (table->count() != 3) return fail("the mount count");

    std::printf("cpp_hello: %s: %zu commas, %zu bytes streamed, a mesh of %u indices, %zu scene nodes, "
                "%u packs mounted, zcpack %s\n",
                argv[1], commas, streamed, mesh->index_count, zc::nodes(*scene).size(), table->count(),
                zc_version_string());
    return 0;
}
