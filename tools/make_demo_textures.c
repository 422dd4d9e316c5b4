/* make_demo_textures.c - writes the procedural textures of samples/assets/textures/.
 *
 *     cc -O2 tools/make_demo_textures.c -lm -o /tmp/make_demo_textures
 *     /tmp/make_demo_textures samples/assets/textures
 *
 * bricks.png (opaque colour), bricks_n.png (its tangent-space normal map) and
 * leaves.png (alpha-tested foliage). Deterministic: no randomness beyond a fixed hash.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

enum { SIZE = 128, BRICK_W = 32, BRICK_H = 16, MORTAR = 2 };

static uint32_t hash2(uint32_t x, uint32_t y) {
    uint32_t h = x * 374761393u + y * 668265263u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return h ^ (h >> 16);
}

/* Height of the brick wall at (x, y): 1 on a brick, 0 in the mortar. */
static float brick_height(int x, int y) {
    int row = (y & (SIZE - 1)) / BRICK_H;
    int bx = ((x + (row & 1) * BRICK_W / 2) & (SIZE - 1)) % BRICK_W;
    int by = (y & (SIZE - 1)) % BRICK_H;
    return (bx < MORTAR || by < MORTAR) ? 0.0f : 1.0f;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <output-dir>\n", argv[0]);
        return 2;
    }
    static uint8_t rgb[SIZE * SIZE * 3], normal[SIZE * SIZE * 3], leaves[SIZE * SIZE * 4];
    for (int y = 0; y < SIZE; ++y) {
        for (int x = 0; x < SIZE; ++x) {
            uint8_t *c = &rgb[(y * SIZE + x) * 3];
            int row = y / BRICK_H, col = (x + (row & 1) * BRICK_W / 2) / BRICK_W;
            uint32_t tint = hash2((uint32_t)col, (uint32_t)row) % 40, grain = hash2((uint32_t)x, (uint32_t)y) % 16;
            if (brick_height(x, y) > 0.5f) {
                c[0] = (uint8_t)(150 + tint + grain), c[1] = (uint8_t)(60 + tint / 2 + grain), c[2] = (uint8_t)(45 + grain);
            } else {
                c[0] = c[1] = c[2] = (uint8_t)(170 + grain);
            }
            float dx = brick_height(x + 1, y) - brick_height(x - 1, y);
            float dy = brick_height(x, y + 1) - brick_height(x, y - 1);
            float nx = -dx, ny = -dy, nz = 1.0f, len = sqrtf(nx * nx + ny * ny + nz * nz);
            uint8_t *n = &normal[(y * SIZE + x) * 3];
            n[0] = (uint8_t)lrintf((nx / len * 0.5f + 0.5f) * 255.0f);
            n[1] = (uint8_t)lrintf((ny / len * 0.5f + 0.5f) * 255.0f);
            n[2] = (uint8_t)lrintf((nz / len * 0.5f + 0.5f) * 255.0f);
            /* leaves: overlapping ellipses along a few stems */
            uint8_t *l = &leaves[(y * SIZE + x) * 4];
            int inside = 0;
            for (int k = 0; k < 12 && !inside; ++k) {
                float cx = (float)(hash2((uint32_t)k, 7u) % SIZE), cy = (float)(hash2((uint32_t)k, 11u) % SIZE);
                float ex = (x - cx) / 14.0f, ey = (y - cy) / 6.0f;
                float a = (float)k * 0.7f, rx = ex * cosf(a) + ey * sinf(a), ry = -ex * sinf(a) + ey * cosf(a);
                inside = rx * rx + ry * ry < 1.0f;
            }
            l[0] = (uint8_t)(40 + grain * 2), l[1] = (uint8_t)(120 + grain * 4), l[2] = (uint8_t)(30 + grain);
            l[3] = inside ? 255 : 0;
        }
    }
    char path[1024];
    int ok = 1;
    snprintf(path, sizeof path, "%s/bricks.png", argv[1]);
    ok &= stbi_write_png(path, SIZE, SIZE, 3, rgb, SIZE * 3) != 0;
    snprintf(path, sizeof path, "%s/bricks_n.png", argv[1]);
    ok &= stbi_write_png(path, SIZE, SIZE, 3, normal, SIZE * 3) != 0;
    snprintf(path, sizeof path, "%s/leaves.png", argv[1]);
    ok &= stbi_write_png(path, SIZE, SIZE, 4, leaves, SIZE * 4) != 0;
    if (!ok) fprintf(stderr, "cannot write the textures to %s\n", argv[1]);
    return ok ? 0 : 1;
}
