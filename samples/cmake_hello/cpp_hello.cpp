// cpp_hello.cpp - the C++ header <zc/zc_pack.hpp> on a pack: results and exceptions,
// holds that release themselves, a mesh viewed through a span of indices, a mount
// table that outlives the pack handle given to it. Exit status 0 when every check
// holds; the message names the first that does not.
#include <cstdio>
#include <string>
#include <utility>

#include <zc/zc_pack.hpp>

static int fail(const char *what) {
    std::fprintf(stderr, "cpp_hello: %s\n", what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2) return fail("usage: cpp_hello <pack>");

    zc::result<zc::pack> opened = zc::pack::open(argv[1], ZC_VALIDATE_CHECKSUMS);
    if (!opened) return fail(opened.message());
    zc::pack pack = std::move(opened).value();
    if (pack.entry_count() == 0) return fail("no entries");

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

    // A typed view: a mesh's indices as a span, each inside the vertex count.
    zc::hold mesh_hold = pack.get_or_throw("scene/demo.gltf#mesh/0");
    zc::result<zc_mesh_view> mesh = mesh_hold.mesh();
    if (!mesh) return fail(mesh.message());
    std::size_t indices = 0;
    for (std::uint32_t i : zc::indices16(*mesh)) indices += i < mesh->vertex_count;
    for (std::uint32_t i : zc::indices32(*mesh)) indices += i < mesh->vertex_count;
    if (indices != mesh->index_count || indices == 0) return fail("mesh indices out of range");
    if (mesh_hold.texture()) return fail("a mesh viewed as a texture");

    // A mount table keeps the pack alive after its handle is gone.
    zc::result<zc::mounts> table = zc::mounts::create();
    if (!table) return fail(table.message());
    if (table->add(pack, 0, "base/") != ZC_OK) return fail("mount");
    pack = zc::pack(); // the handle closes; the table still holds the pack
    zc::result<zc::hold> sky = table->get("base/shaders/sky.glsl");
    if (!sky || sky->bytes().empty()) return fail("a mounted entry");

    std::printf("cpp_hello: %s: %zu commas, a mesh of %u indices, %u mount, zcpack %s\n", argv[1], commas,
                mesh->index_count, table->count(), zc_version_string());
    return 0;
}
