"""zcpack_binary: an installed zcpack as the label @<name>//:zcpack.

Bazel hashes a label's file like any other input, so every action that runs the
binary is keyed by its bytes: installing another zcpack runs the imports again instead
of taking objects made by the old one from a cache (link refuses objects of another
version). The binary is linked to the system's shared libraries (assimp, zstd, libuv,
...): a remote worker needs the same Debian packages installed.
"""

def _zcpack_binary_impl(rctx):
    path = rctx.attr.path
    if not path:
        found = rctx.which("zcpack")
        if not found:
            fail("zcpack_binary: no zcpack on PATH; install it (make install) or set path = \"/.../zcpack\"")
        path = str(found)
    binary = rctx.path(path)
    if not binary.exists:
        fail("zcpack_binary: %s does not exist" % path)
    rctx.symlink(binary, "zcpack")
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.file("BUILD.bazel", "exports_files([\"zcpack\"])\n")

zcpack_binary = repository_rule(
    implementation = _zcpack_binary_impl,
    attrs = {
        "path": attr.string(doc = "absolute path of the zcpack binary; default: the zcpack on PATH"),
    },
    environ = ["PATH"],
    local = True,
    doc = "Makes an installed zcpack available as @<name>//:zcpack.",
)
