#!/usr/bin/python3
"""Writes the images of samples/textures (the texture tree `make demo` packs), all drawn
here from formulas (no third-party art): a Radiance HDR sky panorama, three terrain
layers, a decal with alpha, a badge, and a DDS file whose mip levels are each one
colour, as made by hand. Run from the
repository's root to make them again: /usr/bin/python3 tools/make_sample_textures.py
(needs Pillow: python3-pil)."""
import math
import os
import random
import struct

from PIL import Image


def write_hdr(path, width, height, texel):
    """Flat (not run-length encoded) RGBE scanlines, top row first."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            r, g, b = texel(x, y)
            top = max(r, g, b)
            if top < 1e-32:
                row += b"\0\0\0\0"
                continue
            mantissa, exponent = math.frexp(top)
            scale = mantissa * 256.0 / top
            row += bytes((int(r * scale), int(g * scale), int(b * scale), exponent + 128))
        assert not (row[0] == 2 and row[1] == 2), "a flat row must not look run-length encoded"
        rows.append(bytes(row))
    with open(path, "wb") as f:
        f.write(b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n")
        f.write(b"-Y %d +X %d\n" % (height, width))
        f.write(b"".join(rows))


def sky(x, y, width=128, height=64):
    """An equirectangular sky: blue above, haze at the horizon, brown ground, a sun
    fifty times brighter than white (what makes it HDR)."""
    lon = ((x + 0.5) / width - 0.5) * 2.0 * math.pi
    lat = (0.5 - (y + 0.5) / height) * math.pi
    d = (math.cos(lat) * math.sin(lon), math.sin(lat), -math.cos(lat) * math.cos(lon))
    sun_lat, sun_lon = math.radians(35.0), math.radians(40.0)
    s = (math.cos(sun_lat) * math.sin(sun_lon), math.sin(sun_lat), -math.cos(sun_lat) * math.cos(sun_lon))
    cos_sun = sum(a * b for a, b in zip(d, s))
    if lat < 0.0:
        k = min(1.0, -lat * 4.0)
        base = [0.55 * (1 - k) + 0.12 * k, 0.55 * (1 - k) + 0.09 * k, 0.6 * (1 - k) + 0.06 * k]
    else:
        k = min(1.0, lat * 2.0)
        base = [0.8 * (1 - k) + 0.15 * k, 0.85 * (1 - k) + 0.35 * k, 1.0 * (1 - k) + 0.9 * k]
    glow = max(0.0, cos_sun) ** 64 * 2.0
    disc = 50.0 if cos_sun > math.cos(math.radians(4.0)) else 0.0
    return tuple(c + glow + disc for c in base)


def noise_layer(path, seed, low, high, scale):
    """64x64 value noise between two colours, tiling."""
    rng = random.Random(seed)
    grid = [[rng.random() for _ in range(8)] for _ in range(8)]
    img = Image.new("RGB", (64, 64))
    for y in range(64):
        for x in range(64):
            gx, gy = x / scale, y / scale
            x0, y0 = int(gx) % 8, int(gy) % 8
            fx, fy = gx - int(gx), gy - int(gy)
            fx, fy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
            a = grid[y0][x0] * (1 - fx) + grid[y0][(x0 + 1) % 8] * fx
            b = grid[(y0 + 1) % 8][x0] * (1 - fx) + grid[(y0 + 1) % 8][(x0 + 1) % 8] * fx
            v = a * (1 - fy) + b * fy + rng.uniform(-0.06, 0.06)
            v = min(1.0, max(0.0, v))
            img.putpixel((x, y), tuple(int(l + (h - l) * v) for l, h in zip(low, high)))
    img.save(path, optimize=True)


def decal(path):
    """A five-petalled flower in a ring, soft-edged, on transparent texels."""
    img = Image.new("RGBA", (64, 64))
    for y in range(64):
        for x in range(64):
            dx, dy = (x + 0.5 - 32) / 30, (y + 0.5 - 32) / 30
            r, a = math.hypot(dx, dy), math.atan2(dy, dx)
            star = 0.45 + 0.2 * math.cos(5 * (a + math.pi / 2))
            coverage = max(min(1.0, (star - r) * 40), min(1.0, max(0.0, 1 - abs(r - 0.85) * 25)))
            coverage = max(0.0, coverage)
            img.putpixel((x, y), (230, 180 - int(80 * r), 40, int(255 * coverage)))
    img.save(path, optimize=True)


def badge(path):
    """A shield with a vertical gradient, opaque."""
    img = Image.new("RGB", (64, 64), (30, 30, 40))
    for y in range(64):
        for x in range(64):
            half = 26 if y < 36 else 26 * (64 - y) / 28
            if abs(x + 0.5 - 32) < half and 4 <= y < 62:
                img.putpixel((x, y), (40 + 3 * y, 90, 200 - 2 * y))
    img.save(path, optimize=True)


def mip_colours(path):
    """A 32x32 RGBA8 DDS (DX10 header, R8G8B8A8_UNORM) of six levels, each a flat
    colour of its own: a chain rebuilt from level 0 would be red all the way down."""
    colours = [(255, 0, 0), (255, 160, 0), (240, 240, 0), (0, 200, 0), (0, 120, 255), (160, 0, 255)]
    header = bytearray(148)
    header[0:4] = b"DDS "
    struct.pack_into("<7I", header, 4, 124, 0x1 | 0x2 | 0x4 | 0x8 | 0x1000 | 0x20000, 32, 32, 32 * 4, 0, 6)
    struct.pack_into("<I", header, 76, 32)
    struct.pack_into("<I", header, 80, 0x4)
    header[84:88] = b"DX10"
    struct.pack_into("<I", header, 108, 0x1000 | 0x8 | 0x400000)
    struct.pack_into("<5I", header, 128, 28, 3, 0, 1, 0)
    data = bytearray()
    for level, (r, g, b) in enumerate(colours):
        side = 32 >> level
        data += bytes((r, g, b, 255)) * (side * side)
    with open(path, "wb") as f:
        f.write(bytes(header) + bytes(data))


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "textures"))
    os.makedirs("terrain", exist_ok=True)
    write_hdr("sky.hdr", 128, 64, sky)
    noise_layer("terrain/a_grass.png", 1, (40, 90, 30), (110, 170, 60), 8.0)
    noise_layer("terrain/b_rock.png", 2, (70, 70, 75), (150, 145, 140), 4.0)
    noise_layer("terrain/c_sand.png", 3, (170, 150, 100), (235, 215, 160), 16.0)
    decal("decal.png")
    badge("badge.png")
    mip_colours("mip_colours.dds")
