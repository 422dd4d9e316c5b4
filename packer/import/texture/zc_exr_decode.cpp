// zc_exr_decode.cpp - the pixels of an OpenEXR source (zc_texture_pixels.h) through the
// OpenEXR C++ library's RGBA interface, which decodes every compression (DWA
// included), scanline and tiled parts, and luminance-chroma images, and gives absent
// channels their defaults. Read from memory; every exception of the library becomes
// ZC_ERR_BAD_SOURCE with its message (or ZC_ERR_OUT_OF_MEMORY). Call only after
// zc_exr_probe accepted the header, which bounds the extent.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <vector>

#include <ImfIO.h>
#include <ImfRgbaFile.h>

#include "zc_texture_pixels.h"

namespace {

// The file's bytes as an Imf::IStream.
class memory_stream : public Imf::IStream {
public:
    memory_stream(const uint8_t *bytes, size_t size) : Imf::IStream("memory"), bytes_(bytes), size_(size) {}
    bool read(char c[], int n) override {
        if (n < 0 || at_ > size_ || size_ - at_ < static_cast<size_t>(n))
            throw std::runtime_error("the file ends inside a block");
        std::memcpy(c, bytes_ + at_, static_cast<size_t>(n));
        at_ += static_cast<size_t>(n);
        return at_ < size_;
    }
    uint64_t tellg() override { return at_; }
    void seekg(uint64_t pos) override { at_ = pos > size_ ? size_ + 1 : static_cast<size_t>(pos); }

private:
    const uint8_t *bytes_;
    size_t size_;
    size_t at_ = 0;
};

float finite_or_clamped(float v) { // NaN has no texel value; infinities become half's largest
    return std::isnan(v) ? 0.0f : std::isinf(v) ? std::copysign(65504.0f, v) : v;
}

} // namespace

extern "C" zc_result zc_exr_decode(const uint8_t *bytes, size_t size, int w, int h, zc_texels *out, zc_diag *diag) {
    float *rgba = static_cast<float *>(std::malloc(static_cast<size_t>(w) * static_cast<size_t>(h) * 16));
    if (!rgba) return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    try {
        memory_stream stream(bytes, size);
        Imf::RgbaInputFile file(stream, 1);
        const Imath::Box2i window = file.dataWindow();
        const int64_t fw = static_cast<int64_t>(window.max.x) - window.min.x + 1;
        const int64_t fh = static_cast<int64_t>(window.max.y) - window.min.y + 1;
        if (fw != w || fh != h) {
            std::free(rgba);
            return zc_fail(diag, ZC_ERR_BAD_SOURCE, "image decoded as %lldx%lld but its header says %dx%d",
                           static_cast<long long>(fw), static_cast<long long>(fh), w, h);
        }
        std::vector<Imf::Rgba> halves(static_cast<size_t>(w) * static_cast<size_t>(h));
        file.setFrameBuffer(Imf::ComputeBasePointer(halves.data(), window), 1, static_cast<size_t>(w));
        file.readPixels(window.min.y, window.max.y);
        for (size_t i = 0; i < halves.size(); ++i) {
            rgba[4 * i + 0] = finite_or_clamped(halves[i].r);
            rgba[4 * i + 1] = finite_or_clamped(halves[i].g);
            rgba[4 * i + 2] = finite_or_clamped(halves[i].b);
            rgba[4 * i + 3] = finite_or_clamped(halves[i].a);
        }
    } catch (const std::bad_alloc &) {
        std::free(rgba);
        return zc_fail(diag, ZC_ERR_OUT_OF_MEMORY, "out of memory decoding the image");
    } catch (const std::exception &e) {
        std::free(rgba);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "cannot decode the OpenEXR image: %s", e.what());
    } catch (...) {
        std::free(rgba);
        return zc_fail(diag, ZC_ERR_BAD_SOURCE, "cannot decode the OpenEXR image");
    }
    out->width = static_cast<uint32_t>(w);
    out->height = static_cast<uint32_t>(h);
    out->is_float = 1;
    out->data = rgba;
    return ZC_OK;
}
