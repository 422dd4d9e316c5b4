/* zc_model_md3_animation.c - Quake III's animation.cfg, the clip table of a player
 * model's parts, read beside lower.md3 and upper.md3 (zc__md3_animation_cfg).
 *
 * An MD3 file stores frames without a playback rate or clip ranges; Quake III keeps
 * those in a text file named animation.cfg in the model's folder, shared by its three
 * parts. Lines, in the order the game reads them:
 *   - keyword lines, whose first token is a word (sex, headoffset, footsteps,
 *     fixedlegs, fixedtorso): ignored here;
 *   - animation lines: first frame, frame count, looping frames, frames per second,
 *     integers separated by blanks, optionally followed by a comment; the i-th such
 *     line is animation i of the game's fixed list (ZC__Q3_ANIMATIONS below: 6 for
 *     both parts, 7 for the torso, 12 for the legs, then Team Arena's 6 for the torso);
 *   - "//" comments and blank lines.
 * upper.md3 plays the "both" and torso animations at the frames given; lower.md3 plays
 * the "both" and legs animations, whose first frames count the torso's too: the game
 * subtracts LEGS_WALKCR's first frame minus TORSO_GESTURE's from each legs line, and so
 * does this reader. Every animation becomes one clip of the part, named as in the
 * game's list, keyed at its own rate. The looping frames are not kept (a clip has no
 * loop range).
 *
 * Safe on untrusted input: the file is read up to ZC__CFG_MAX_BYTES, numbers are
 * bounded, and an animation outside the frames read is left out with a note. A file
 * that is missing, unreadable, malformed or shorter than the game's 25 animations
 * leaves the frames grouped by their names (zc_model_vertex_frames.c), with a note
 * for the last three.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zc_model_internal.h"
#include "zc_packer_os.h"

#define ZC__CFG_MAX_BYTES (64u << 10)
#define ZC__CFG_MAX_FPS 1000

/* The game's animations in animation.cfg order (bg_public.h's animNumber_t). */
static const char *const zc__q3_animations[] = {
    "BOTH_DEATH1", "BOTH_DEAD1", "BOTH_DEATH2", "BOTH_DEAD2", "BOTH_DEATH3", "BOTH_DEAD3",
    "TORSO_GESTURE", "TORSO_ATTACK", "TORSO_ATTACK2", "TORSO_DROP", "TORSO_RAISE", "TORSO_STAND", "TORSO_STAND2",
    "LEGS_WALKCR", "LEGS_WALK", "LEGS_RUN", "LEGS_BACK", "LEGS_SWIM", "LEGS_JUMP", "LEGS_LAND", "LEGS_JUMPB",
    "LEGS_LANDB", "LEGS_IDLE", "LEGS_IDLECR", "LEGS_TURN",
    "TORSO_GETFLAG", "TORSO_GUARDBASE", "TORSO_PATROL", "TORSO_FOLLOWME", "TORSO_AFFIRMATIVE", "TORSO_NEGATIVE",
};
#define ZC__Q3_ANIMATIONS ((uint32_t)(sizeof zc__q3_animations / sizeof zc__q3_animations[0]))
enum {
    ZC__Q3_FIRST_TORSO = 6,   /* TORSO_GESTURE */
    ZC__Q3_FIRST_LEGS = 13,   /* LEGS_WALKCR */
    ZC__Q3_FIRST_TEAM = 25,   /* TORSO_GETFLAG: Team Arena's torso animations */
    ZC__Q3_REQUIRED = 25,     /* the game refuses a file with fewer */
};

typedef enum zc__q3_part { ZC__Q3_OTHER, ZC__Q3_LOWER, ZC__Q3_UPPER } zc__q3_part;

/* The part a file name stands for: lower and upper, with or without a level-of-detail
 * suffix (lower_1.md3), in any case. */
static zc__q3_part zc__q3_part_of(const char *file_path) {
    const char *name = strrchr(file_path, '/');
    name = name ? name + 1 : file_path;
    size_t n = strcspn(name, "._");
    if (n == 5 && strncasecmp(name, "lower", 5) == 0) return ZC__Q3_LOWER;
    if (n == 5 && strncasecmp(name, "upper", 5) == 0) return ZC__Q3_UPPER;
    return ZC__Q3_OTHER;
}

/* Whether animation i belongs to the part. */
static int zc__q3_plays(zc__q3_part part, uint32_t i) {
    int legs = i >= ZC__Q3_FIRST_LEGS && i < ZC__Q3_FIRST_TEAM;
    int torso = (i >= ZC__Q3_FIRST_TORSO && i < ZC__Q3_FIRST_LEGS) || i >= ZC__Q3_FIRST_TEAM;
    return i < ZC__Q3_FIRST_TORSO || (part == ZC__Q3_LOWER ? legs : torso);
}

typedef struct zc__q3_line {
    long first, count, looping, fps;
} zc__q3_line;

/* The animation lines of `text` into lines[0, *count) (at most ZC__Q3_ANIMATIONS are
 * kept). 0, or the 1-based number of the first line that is neither a keyword, a
 * comment nor four integers within ±2^20. */
static unsigned zc__q3_parse(char *text, zc__q3_line *lines, uint32_t *count) {
    *count = 0;
    unsigned number = 0;
    for (char *line = text; line;) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        number++;
        char *p = line;
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (!*p || (p[0] == '/' && p[1] == '/') || isalpha((unsigned char)*p)) {
            line = next;
            continue;
        }
        long v[4];
        for (int k = 0; k < 4; ++k) {
            char *end;
            errno = 0;
            v[k] = strtol(p, &end, 10);
            if (end == p || errno || v[k] < -(1L << 20) || v[k] > (1L << 20)) return number;
            p = end;
        }
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (*p && !(p[0] == '/' && p[1] == '/')) return number;
        if (*count < ZC__Q3_ANIMATIONS) lines[(*count)++] = (zc__q3_line){ v[0], v[1], v[2], v[3] };
        line = next;
    }
    return 0;
}

/* animation.cfg beside the model, read whole into a NUL-terminated buffer (*out,
 * malloc'd) and recorded among the files the import read. 0: absent or outside the
 * root; 1: read; -1: present but not a readable file of at most ZC__CFG_MAX_BYTES
 * (noted); -2: out of memory. */
static int zc__q3_read(zc__model_build *b, char **out) {
    *out = NULL;
    size_t dir_len = strlen(b->model_dir);
    char *path = malloc(dir_len + sizeof "/animation.cfg");
    if (!path) return -2;
    memcpy(path, b->model_dir, dir_len);
    memcpy(path + dir_len, "/animation.cfg", sizeof "/animation.cfg");
    char real[PATH_MAX];
    int inside = zc__model_inside_root(b, path, real);
    free(path);
    if (!inside) return 0;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    char *text = NULL;
    ssize_t got = -1;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (off_t)ZC__CFG_MAX_BYTES) {
        if (!(text = malloc((size_t)st.st_size + 1))) {
            close(fd);
            return -2;
        }
        got = read(fd, text, (size_t)st.st_size);
    }
    if (fd >= 0) close(fd);
    if (!text || got != (ssize_t)st.st_size) {
        free(text);
        zc__model_note(b, "animation.cfg beside the model cannot be used (not a readable file of at most %u KiB): "
                          "frames grouped by their names", ZC__CFG_MAX_BYTES >> 10);
        return -1;
    }
    if (!zc__model_read(b, real)) {
        free(text);
        return -2;
    }
    text[got] = 0;
    *out = text;
    return 1;
}

zc_result zc__md3_animation_cfg(zc__model_build *b, zc__vertex_frames *f) {
    zc__q3_part part = zc__q3_part_of(b->file_path);
    if (part == ZC__Q3_OTHER) return ZC_OK;
    char *text;
    int got = zc__q3_read(b, &text);
    if (got == -2) return ZC_ERR_OUT_OF_MEMORY;
    if (got <= 0) return ZC_OK;
    zc__q3_line lines[ZC__Q3_ANIMATIONS];
    uint32_t count;
    unsigned bad = zc__q3_parse(text, lines, &count);
    free(text);
    if (bad) {
        zc__model_note(b, "animation.cfg line %u is not four integers: frames grouped by their names", bad);
        return ZC_OK;
    }
    if (count < ZC__Q3_REQUIRED) {
        zc__model_note(b, "animation.cfg lists %u animations, Quake III's players have %u: frames grouped by their "
                          "names", count, (unsigned)ZC__Q3_REQUIRED);
        return ZC_OK;
    }
    f->clips = calloc(count, sizeof *f->clips);
    if (!f->clips) return ZC_ERR_OUT_OF_MEMORY;
    long skip = part == ZC__Q3_LOWER ? lines[ZC__Q3_FIRST_LEGS].first - lines[ZC__Q3_FIRST_TORSO].first : 0;
    for (uint32_t i = 0; i < count; ++i) {
        if (!zc__q3_plays(part, i)) continue;
        long first = lines[i].first - (i >= ZC__Q3_FIRST_LEGS && i < ZC__Q3_FIRST_TEAM ? skip : 0);
        if (lines[i].count < 1) {
            zc__model_note(b, "animation.cfg: %s has %ld frames: left out", zc__q3_animations[i], lines[i].count);
            continue;
        }
        if (first < 0 || first + lines[i].count > (long)f->frame_count) {
            zc__model_note(b, "animation.cfg: %s (frames %ld to %ld) lies outside the model's %u frames: left out",
                           zc__q3_animations[i], first, first + lines[i].count - 1, f->frame_count);
            continue;
        }
        zc__frame_clip *c = &f->clips[f->clip_count++];
        c->name = zc__q3_animations[i];
        c->first = (uint32_t)first;
        c->count = (uint32_t)lines[i].count;
        c->frames_per_second = lines[i].fps >= 1 && lines[i].fps <= ZC__CFG_MAX_FPS ? (double)lines[i].fps
                                                                                      : f->frames_per_second;
    }
    return ZC_OK;
}
