/* zc_packer.h - the packer as a library (libzcpacker.a): what `zcpack` does, for an
 * editor, an asset server or a custom build tool. The command-line tool is a thin
 * shell over these calls.
 *
 *   zc_build.h        zc_build: a directory tree into one pack (or a patch pack),
 *                     with the manifest, .zcpackignore, threads, the build cache
 *   zc_link.h         zc_object_import and zc_link: the same build as pure steps, one
 *                     object per source file, for a distributed build engine
 *   zc_build_cache.h  the build cache (a directory, optionally shared over HTTP)
 *   zc_manifest.h     zcpack.json; zc_ignore.h: .zcpackignore
 *   zc_watch.h        zc_watch_run: build, then rebuild on every change (`zcpack watch`)
 *   zc_writer.h       writing a pack entry by entry from a program
 *   zc_sign.h         keys and signatures
 *   zc_texture_export.h  a texture entry as a KTX2 or DDS file (`zcpack extract`)
 *   zc_schema.h       the schema compiler of game-defined types (`zcpack schema`)
 *   zc_schema_builder.h  writing schema entries from a program (the typed builder)
 * Each header states its threads and error contracts. Link with
 * `pkg-config --libs zcpack-packer`, or the CMake target zcpack::packer.
 *
 * Example:
 *     #include <zc/zc_packer.h>
 *
 *     zc_build_stats stats;
 *     zc_build_desc desc = { .input_dir = "assets", .output_path = "built.zcpack" };
 *     if (zc_build(&desc, &stats) != ZC_OK || stats.entries == 0) return 1;
 *     zc_pack *built = NULL;
 *     if (zc_pack_open(&built, &(zc_pack_desc){ .path = "built.zcpack" }) != ZC_OK) return 1;
 *     zc_entry sky;
 *     zc_result found = zc_pack_find(built, "shaders/sky.glsl", &sky);
 *     zc_pack_close(built);
 *     if (found != ZC_OK) return 1;
 */
#ifndef ZC_PACKER_H
#define ZC_PACKER_H

#include "zc_build.h"
#include "zc_build_cache.h"
#include "zc_ignore.h"
#include "zc_link.h"
#include "zc_manifest.h"
#include "zc_sign.h"
#include "zc_texture_export.h"
#include "zc_watch.h"
#include "zc_writer.h"
#include "zc_schema.h"
#include "zc_schema_builder.h"

#endif /* ZC_PACKER_H */
