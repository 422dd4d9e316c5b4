/* zc_pack.hpp - C++17 wrappers of the zcpack runtime (zc_pack.h): a pack, a hold and a
 * mount table that release what they own when they go out of scope, byte and array
 * views as spans, and errors as a result type or, by choice, as exceptions.
 *
 * Header-only; adds no allocation and no lock to the C calls it wraps, so every
 * contract of zc_pack.h (threads, lifetimes, untrusted input) holds unchanged: the
 * calls that return a value or a zc_result never allocate; only the *_or_throw calls
 * and value() on an error build a message (a std::string) to throw. Every owning type
 * (pack, hold, stream, pack_set, mounts) is movable and not copyable; a moved-from
 * object owns nothing. The C handle stays reachable (c_pack(), c_hold(), c_stream(),
 * c_set(), c_mounts()) for any call not wrapped here (prefetch, hot reload).
 *
 *     #include <zc/zc_pack.hpp>
 *
 *     zc::result<zc::pack> opened = zc::pack::open("game.zcpack");
 *     if (!opened) { log(opened.message()); return; }      // or zc::pack::open_or_throw
 *     zc::pack &pack = opened.value();
 *     zc::result<zc::hold> sky = pack.get("shaders/sky.glsl"); // raw bytes, decoded once
 *     if (sky) compile_shader(sky->bytes().data(), sky->bytes().size());
 *     zc::hold mesh = pack.get_or_throw("scene/demo.gltf#mesh/0");
 *     zc::result<zc_mesh_view> view = mesh.mesh();             // points into `mesh`
 *
 * Lifetimes: a hold keeps its bytes (and its pack) alive until it is destroyed; views
 * made from a hold point into it, so keep the hold while using them.
 */
#ifndef ZC_PACK_HPP
#define ZC_PACK_HPP

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "zc_pack.h"

namespace zc {

/* A pointer and a count: what std::span<T> is in C++20. Does not own. */
template <class T>
class span {
public:
    constexpr span() noexcept = default;
    constexpr span(T *data, std::size_t size) noexcept : data_(data), size_(size) {}
    constexpr T *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr T *begin() const noexcept { return data_; }
    constexpr T *end() const noexcept { return data_ + size_; }
    constexpr T &operator[](std::size_t i) const noexcept { return data_[i]; }

private:
    T *data_ = nullptr;
    std::size_t size_ = 0;
};

namespace detail {
/* The one owner of a C handle: closes it with `Close` (which accepts NULL) when
 * destroyed or assigned over; movable, not copyable; moved-from holds NULL. */
template <class T, void (*Close)(T *)>
class owner {
public:
    owner() noexcept = default;
    owner(owner &&o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    owner &operator=(owner &&o) noexcept {
        if (this != &o) {
            Close(p_);
            p_ = o.p_;
            o.p_ = nullptr;
        }
        return *this;
    }
    owner(const owner &) = delete;
    owner &operator=(const owner &) = delete;
    ~owner() { Close(p_); }
    T *get() const noexcept { return p_; }
    T **out() noexcept { return &p_; } /* for a create call on an empty owner */

private:
    T *p_ = nullptr;
};
} // namespace detail

/* What the throwing calls throw: the zc_result and a sentence naming what failed. */
class error : public std::runtime_error {
public:
    error(zc_result code, const std::string &what)
        : std::runtime_error(what + ": " + zc_result_str(code)), code_(code) {}
    zc_result code() const noexcept { return code_; }

private:
    zc_result code_;
};

/* A value or the zc_result that explains its absence. value() throws zc::error when
 * there is none; operator* and -> do not check. */
template <class T>
class result {
public:
    result(T value) : value_(std::move(value)), code_(ZC_OK) {}
    result(zc_result code) : code_(code == ZC_OK ? ZC_ERR_INVALID_ARGUMENT : code) {}
    explicit operator bool() const noexcept { return code_ == ZC_OK; }
    bool ok() const noexcept { return code_ == ZC_OK; }
    zc_result code() const noexcept { return code_; }
    const char *message() const noexcept { return zc_result_str(code_); }
    T &value() & { check(); return value_; }
    const T &value() const & { check(); return value_; }
    T &&value() && { check(); return std::move(value_); }
    T &operator*() noexcept { return value_; }
    const T &operator*() const noexcept { return value_; }
    T *operator->() noexcept { return &value_; }
    const T *operator->() const noexcept { return &value_; }

private:
    void check() const {
        if (code_ != ZC_OK) throw error(code_, "zcpack");
    }
    T value_{};
    zc_result code_;
};

/* The bytes of one entry, held: zc_hold, released when destroyed. */
class hold {
public:
    hold() noexcept = default;
    explicit hold(const zc_hold &h) noexcept : h_(h) {}
    hold(hold &&o) noexcept : h_(o.h_) { o.h_ = zc_hold{}; }
    hold &operator=(hold &&o) noexcept {
        if (this != &o) {
            zc_hold_release(&h_);
            h_ = o.h_;
            o.h_ = zc_hold{};
        }
        return *this;
    }
    hold(const hold &) = delete;
    hold &operator=(const hold &) = delete;
    ~hold() { zc_hold_release(&h_); }

    explicit operator bool() const noexcept { return h_.pack != nullptr; }
    /* The entry's raw bytes (decoded when it is stored compressed). */
    span<const std::byte> bytes() const noexcept {
        return span<const std::byte>(static_cast<const std::byte *>(h_.data), static_cast<std::size_t>(h_.size));
    }
    const zc_entry &entry() const noexcept { return h_.entry; }
    /* The entry's path, valid while the hold lives. */
    std::string_view path() const noexcept {
        return h_.entry.path ? std::string_view(h_.entry.path, h_.entry.path_length) : std::string_view();
    }
    /* The asset ids the entry references. */
    span<const std::uint64_t> deps() const noexcept { return span<const std::uint64_t>(h_.entry.deps, h_.entry.deps_count); }

    /* Typed views of the held bytes, checked as zc_*_view_from_bytes checks them. */
    result<zc_texture_view> texture() const { return view(zc_texture_view_from_bytes); }
    result<zc_mesh_view> mesh() const { return view(zc_mesh_view_from_bytes); }
    result<zc_material_view> material() const { return view(zc_material_view_from_bytes); }
    result<zc_scene_view> scene() const { return view(zc_scene_view_from_bytes); }
    result<zc_skeleton_view> skeleton() const { return view(zc_skeleton_view_from_bytes); }
    result<zc_animation_view> animation() const { return view(zc_animation_view_from_bytes); }
    result<zc_morph_view> morph() const { return view(zc_morph_view_from_bytes); }

    zc_hold *c_hold() noexcept { return &h_; }

private:
    template <class V>
    result<V> view(zc_result (*make)(const void *, std::uint64_t, V *)) const {
        V v{};
        zc_result r = h_.pack ? make(h_.data, h_.size, &v) : ZC_ERR_INVALID_ARGUMENT;
        if (r != ZC_OK) return r;
        return v;
    }
    zc_hold h_{};
};

namespace detail {
/* What a call that fills a zc_hold gives: the hold, or its error (then `h` is zeroed). */
inline result<hold> held(zc_result r, const zc_hold &h) {
    if (r != ZC_OK) return r;
    return hold(h);
}
} // namespace detail

/* The indices and submeshes of a mesh view, as spans. */
inline span<const zc_submesh> submeshes(const zc_mesh_view &m) noexcept {
    return span<const zc_submesh>(m.submeshes, m.submesh_count);
}
inline span<const std::uint16_t> indices16(const zc_mesh_view &m) noexcept {
    return m.index_size == 2 ? span<const std::uint16_t>(static_cast<const std::uint16_t *>(m.indices), m.index_count)
                             : span<const std::uint16_t>();
}
inline span<const std::uint32_t> indices32(const zc_mesh_view &m) noexcept {
    return m.index_size == 4 ? span<const std::uint32_t>(static_cast<const std::uint32_t *>(m.indices), m.index_count)
                             : span<const std::uint32_t>();
}
inline span<const zc_vertex_attribute> attributes(const zc_mesh_view &m) noexcept {
    return span<const zc_vertex_attribute>(m.attributes, m.attribute_count);
}
/* A scene's nodes in depth-first pre-order (parent index below its own). */
inline span<const zc_scene_node> nodes(const zc_scene_view &s) noexcept {
    return span<const zc_scene_node>(s.nodes, s.node_count);
}

/* One level of one layer of a texture (zc_texture_view_level), and its bytes. */
inline result<zc_texture_level_view> level(const zc_texture_view &t, std::uint32_t index, std::uint32_t layer = 0) {
    zc_texture_level_view v{};
    zc_result r = zc_texture_view_level(&t, index, layer, &v);
    if (r != ZC_OK) return r;
    return v;
}
inline span<const std::byte> bytes(const zc_texture_level_view &l) noexcept {
    return span<const std::byte>(static_cast<const std::byte *>(l.data), static_cast<std::size_t>(l.size));
}

/* An open pack: zc_pack, closed when destroyed (holds keep it alive past that). */
class pack {
public:
    pack() noexcept = default;

    /* zc_pack_open with `desc`, or with a path and a validation level. */
    static result<pack> open(const zc_pack_desc &desc) {
        pack p;
        zc_result r = zc_pack_open(p.p_.out(), &desc);
        if (r != ZC_OK) return r;
        return p;
    }
    static result<pack> open(const char *path, zc_validate validate = ZC_VALIDATE_DEFAULT) {
        zc_pack_desc desc{};
        desc.path = path;
        desc.validate = validate;
        return open(desc);
    }
    static pack open_or_throw(const char *path, zc_validate validate = ZC_VALIDATE_DEFAULT) {
        result<pack> r = open(path, validate);
        if (!r) throw error(r.code(), std::string(path ? path : "(null)") + ": cannot open the pack");
        return std::move(r).value();
    }

    explicit operator bool() const noexcept { return p_.get() != nullptr; }
    std::uint32_t entry_count() const noexcept { return zc_pack_entry_count(p_.get()); }
    result<zc_entry> find(const char *path) const {
        zc_entry e{};
        return entry(zc_pack_find(p_.get(), path, &e), e);
    }
    result<zc_entry> find_id(std::uint64_t id) const {
        zc_entry e{};
        return entry(zc_pack_find_id(p_.get(), id, &e), e);
    }
    result<zc_entry> entry_at(std::uint32_t index) const {
        zc_entry e{};
        return entry(zc_pack_entry_at(p_.get(), index, &e), e);
    }
    /* zc_pack_resolve: the entry an asset id inside another entry names, of `type`
     * (0: any). */
    result<zc_entry> resolve(std::uint64_t id, std::uint32_t type = 0) const {
        zc_entry e{};
        return entry(zc_pack_resolve(p_.get(), id, type, &e), e);
    }
    result<zc_pack_info> info() const {
        zc_pack_info i{};
        zc_result r = zc_pack_get_info(p_.get(), &i);
        if (r != ZC_OK) return r;
        return i;
    }
    /* zc_pack_validate: check the open pack again at `level`. */
    zc_result validate(zc_validate level) const { return zc_pack_validate(p_.get(), level); }

    /* zc_pack_get: the raw bytes of `path`, held. */
    result<hold> get(const char *path) {
        zc_hold h{};
        return detail::held(zc_pack_get(p_.get(), path, &h), h);
    }
    hold get_or_throw(const char *path) {
        result<hold> r = get(path);
        if (!r) throw error(r.code(), std::string(path ? path : "(null)") + ": cannot get the entry");
        return std::move(r).value();
    }
    /* zc_pack_get_id: the same by asset id (0: ZC_ERR_NO_ENTRY). */
    result<hold> get_id(std::uint64_t id) {
        zc_hold h{};
        return detail::held(zc_pack_get_id(p_.get(), id, &h), h);
    }
    /* zc_pack_acquire: an entry found in this pack (find, entry_at, resolve), held. */
    result<hold> acquire(const zc_entry &e) {
        zc_hold h{};
        return detail::held(zc_pack_acquire(p_.get(), &e, &h), h);
    }

    zc_pack *c_pack() const noexcept { return p_.get(); }

private:
    static result<zc_entry> entry(zc_result r, const zc_entry &e) {
        if (r != ZC_OK) return r;
        return e;
    }
    detail::owner<zc_pack, zc_pack_close> p_;
};

/* A stream over one entry (zc_stream), closed when destroyed; it keeps its pack alive.
 * One thread at a time, as zc_stream. */
class stream {
public:
    stream() noexcept = default;

    /* zc_stream_open / zc_stream_open_id, positioned at 0. */
    static result<stream> open(pack &p, const char *path) {
        stream s;
        zc_result r = zc_stream_open(s.s_.out(), p.c_pack(), path);
        if (r != ZC_OK) return r;
        return s;
    }
    static result<stream> open_id(pack &p, std::uint64_t id) {
        stream s;
        zc_result r = zc_stream_open_id(s.s_.out(), p.c_pack(), id);
        if (r != ZC_OK) return r;
        return s;
    }

    explicit operator bool() const noexcept { return s_.get() != nullptr; }
    /* zc_stream_read into `dst`: the bytes read, fewer than dst.size() only at the end. */
    result<std::size_t> read(span<std::byte> dst) {
        std::size_t n = 0;
        zc_result r = zc_stream_read(s_.get(), dst.data(), dst.size(), &n);
        if (r != ZC_OK) return r;
        return n;
    }
    zc_result seek(std::int64_t offset, zc_whence whence = ZC_SEEK_SET) {
        return zc_stream_seek(s_.get(), offset, whence);
    }
    std::uint64_t tell() const noexcept { return zc_stream_tell(s_.get()); }
    std::uint64_t size() const noexcept { return zc_stream_size(s_.get()); }
    const zc_entry *entry() const noexcept { return zc_stream_entry(s_.get()); }
    zc_stream *c_stream() const noexcept { return s_.get(); }

private:
    detail::owner<zc_stream, zc_stream_close> s_;
};

/* An open pack set (zc_pack_set: an index and its member packs), closed when
 * destroyed; holds and mount tables keep its members alive past that. */
class pack_set {
public:
    pack_set() noexcept = default;

    static result<pack_set> open(const zc_pack_set_desc &desc) {
        pack_set s;
        zc_result r = zc_pack_set_open(s.s_.out(), &desc);
        if (r != ZC_OK) return r;
        return s;
    }
    static result<pack_set> open(const char *path, zc_validate validate = ZC_VALIDATE_DEFAULT) {
        zc_pack_set_desc desc{};
        desc.path = path;
        desc.validate = validate;
        return open(desc);
    }

    explicit operator bool() const noexcept { return s_.get() != nullptr; }
    std::uint32_t member_count() const noexcept { return zc_pack_set_member_count(s_.get()); }
    std::uint64_t entry_count() const noexcept { return zc_pack_set_entry_count(s_.get()); }
    result<zc_pack_set_member_info> member(std::uint32_t i) const {
        zc_pack_set_member_info m{};
        zc_result r = zc_pack_set_member(s_.get(), i, &m);
        if (r != ZC_OK) return r;
        return m;
    }
    result<hold> get(const char *path) const {
        zc_hold h{};
        return detail::held(zc_pack_set_get(s_.get(), path, &h), h);
    }
    result<hold> get_id(std::uint64_t id) const {
        zc_hold h{};
        return detail::held(zc_pack_set_get_id(s_.get(), id, &h), h);
    }
    zc_pack_set *c_set() const noexcept { return s_.get(); }

private:
    detail::owner<zc_pack_set, zc_pack_set_close> s_;
};

/* A mount table: zc_mounts, destroyed when destroyed. */
class mounts {
public:
    mounts() noexcept = default;

    static result<mounts> create(const zc_mounts_desc *desc = nullptr) {
        mounts m;
        zc_result r = zc_mounts_create(m.m_.out(), desc);
        if (r != ZC_OK) return r;
        return m;
    }
    /* Mount `p` (the table takes its own reference: `p` may be closed right after). */
    zc_result add(const pack &p, std::int32_t priority = 0, const char *mount_point = nullptr) {
        zc_mount_desc desc{};
        desc.pack = p.c_pack();
        desc.priority = priority;
        desc.mount_point = mount_point;
        return zc_mounts_add(m_.get(), &desc);
    }
    zc_result remove(const pack &p) { return zc_mounts_remove(m_.get(), p.c_pack()); }
    /* Mount every member of `s` at once (zc_mounts_add_set); `s` may be closed after. */
    zc_result add(const pack_set &s, std::int32_t priority = 0, const char *mount_point = nullptr) {
        zc_mount_set_desc desc{};
        desc.set = s.c_set();
        desc.priority = priority;
        desc.mount_point = mount_point;
        return zc_mounts_add_set(m_.get(), &desc);
    }
    zc_result remove(const pack_set &s) { return zc_mounts_remove_set(m_.get(), s.c_set()); }
    std::uint32_t count() const noexcept { return zc_mounts_count(m_.get()); }
    /* zc_mounts_acquire: the winning pack's bytes of `path`, held. */
    result<hold> get(const char *path) {
        zc_hold h{};
        return detail::held(zc_mounts_acquire(m_.get(), path, &h), h);
    }
    result<hold> get_id(std::uint64_t id) {
        zc_hold h{};
        return detail::held(zc_mounts_acquire_id(m_.get(), id, &h), h);
    }
    zc_mounts *c_mounts() const noexcept { return m_.get(); }

private:
    detail::owner<zc_mounts, zc_mounts_destroy> m_;
};

} // namespace zc

#endif /* ZC_PACK_HPP */
