"""zc_pack: a zcpack pack built by Bazel, one import action per asset and one link.

    load("@zcpack_rules//:zcpack.bzl", "zc_pack")

    zc_pack(
        name = "game",
        srcs = glob(["assets/**"]),
        root = "assets",
        import_deps = {"scene/demo.gltf": ["scene/demo.bin", "textures/bricks.png"]},
    )

gives game.zcpack, byte for byte what `zcpack build assets -o game.zcpack` writes
with the same options (README.md in this directory).

Each source file (its entry path: its path below the root) becomes the object
<name>.objects/<entry path>.zco of `zcpack import`, whose inputs are the file, the
manifest and the files the import reads besides it: the files import_deps lists for
it (zc_gen_build.sh writes them from `zcpack import --deps`: a model's buffers and
textures, a layer list's layers, the other faces or layers of a cube map's or an
array folder's first file, and that first file for each later one), else, for a model
not in import_deps, every source that is not a model (correct, but an edit of any of
them imports the model again), else nothing. Then `zcpack link` writes the pack
from the objects. Every action reads only its declared inputs, by paths relative to
the execution root, with a fixed environment, so it runs in Bazel's sandbox, from
--disk_cache or --remote_cache, or on a remote-execution worker unchanged.
"""

# The extensions of zcpack's model importer (packer/import/model/zc_model.c,
# zc_model_extensions; the bazel suite checks that the two agree). zc_gen_build.sh
# reads this line.
ZC_MODEL_EXTENSIONS = ["gltf", "glb", "obj", "fbx", "dae", "zae", "3ds", "ase", "md2", "md3", "md5mesh", "mdc", "ms3d", "lwo", "lxo", "ply", "stl", "off", "x", "b3d", "smd", "iqm", "3mf", "x3d", "ac3d", "ac", "acc", "bvh"]

_MANIFEST = "zcpack.json"
_IGNORE = ".zcpackignore"

# The environment of every action: nothing of the caller's leaks in.
_ENV = {"PATH": "/bin:/usr/bin", "LC_ALL": "C"}

def _is_model(rel):
    name = rel.rpartition("/")[2]
    if "." not in name:
        return False
    return name.rpartition(".")[2].lower() in ZC_MODEL_EXTENSIONS

def _root_prefix(ctx):
    """The root's path from the workspace top ("" for the top), with a trailing "/"."""
    parts = [p for p in (ctx.label.package + "/" + ctx.attr.root).split("/") if p and p != "."]
    for p in parts:
        if p == "..":
            fail("root %r must lie inside the package %r" % (ctx.attr.root, ctx.label.package))
    return "/".join(parts) + "/" if parts else ""

def _sources(ctx, prefix):
    """{entry path: File} of the sources, the manifest and the ignore list (Files or None)."""
    sources = {}
    manifest = ctx.file.manifest
    ignore = None
    for f in ctx.files.srcs:
        if not f.short_path.startswith(prefix):
            fail("%s does not lie below the root %s" % (f.short_path, prefix or "."))
        rel = f.short_path[len(prefix):]
        if rel == _MANIFEST:
            # the tree's manifest: `zcpack build` reads it and does not pack it
            if manifest == None:
                manifest = f
            continue
        if rel == _IGNORE:
            # the tree's ignore list: an input of every import, never packed
            ignore = f
            continue
        if rel in sources:
            fail("two sources have the entry path %s" % rel)
        sources[rel] = f
    return sources, manifest, ignore

def _import(ctx, zcpack, rel, src, deps, manifest, ignore):
    """One import action: the object of source `rel`, with deps [(entry path, File)]."""
    obj = ctx.actions.declare_file("%s.objects/%s.zco" % (ctx.label.name, rel))
    pairs = [(rel, src)] + deps
    if manifest:
        pairs.append((_MANIFEST, manifest))
    if ignore:
        pairs.append((_IGNORE, ignore))
    args = ctx.actions.args()
    args.add("import")
    args.add(rel)
    args.add("-o", obj)
    args.add("--quiet")
    args.add_all(ctx.attr.import_options)

    # The inputs' list for --stage: zcpack links (or copies) each file, which the
    # sandbox hands over as a symbolic link, into a private tree under its entry path,
    # imports from there and removes the tree. Bazel writes the list as the action's
    # parameter file, one "<entry path>\t<file>" line per input.
    stage = ctx.actions.args()
    stage.use_param_file("--stage=%s", use_always = True)
    stage.set_param_file_format("multiline")
    for r, f in pairs:
        stage.add("%s\t%s" % (r, f.path))
    ctx.actions.run(
        executable = zcpack,
        arguments = [args, stage],
        inputs = [f for _, f in pairs],
        outputs = [obj],
        env = _ENV,
        mnemonic = "ZcImport",
        progress_message = "Importing %s" % rel,
    )
    return obj

def _zc_pack_impl(ctx):
    zcpack = ctx.executable.zcpack
    prefix = _root_prefix(ctx)
    sources, manifest, ignore = _sources(ctx, prefix)
    plain = [(rel, f) for rel, f in sorted(sources.items()) if not _is_model(rel)]
    for rel in ctx.attr.import_deps:
        if rel not in sources:
            fail("import_deps names %s, which is not a source below the root" % rel)
    objects = []
    for rel in sorted(sources):
        if rel in ctx.attr.import_deps:
            deps = []
            for d in ctx.attr.import_deps[rel]:
                if d not in sources:
                    fail("import_deps of %s names %s, which is not a source below the root" % (rel, d))
                deps.append((d, sources[d]))
        elif _is_model(rel):
            deps = [(r, f) for r, f in plain]
        else:
            deps = []
        objects.append(_import(ctx, zcpack, rel, sources[rel], deps, manifest, ignore))

    pack = ctx.actions.declare_file(ctx.attr.out or ctx.label.name + ".zcpack")
    listing = ctx.actions.declare_file(ctx.label.name + ".objects.list")
    ctx.actions.write(listing, "".join([o.path + "\n" for o in objects]))
    link = ctx.actions.args()
    link.add("link")
    link.add("@" + listing.path)
    link.add("-o", pack.path)
    link.add("--quiet")
    ctx.actions.run(
        executable = zcpack,
        arguments = [link],
        inputs = objects + [listing],
        outputs = [pack],
        env = _ENV,
        mnemonic = "ZcLink",
        progress_message = "Linking %s from %d objects" % (pack.short_path, len(objects)),
    )
    return [DefaultInfo(files = depset([pack]))]

zc_pack = rule(
    implementation = _zc_pack_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = True, doc = "the asset files, all below root"),
        "root": attr.string(default = ".", doc = "the asset root, relative to the package"),
        "manifest": attr.label(allow_single_file = True, doc = "the manifest; default: root/zcpack.json when srcs hold it"),
        "import_deps": attr.string_list_dict(doc = "entry path of a source -> entry paths of the files its import reads besides it"),
        "import_options": attr.string_list(doc = "options of `zcpack import` (--level 19, --no-compress, ...)"),
        "out": attr.string(doc = "the pack's file name; default: <name>.zcpack"),
        "zcpack": attr.label(
            default = Label("@zcpack//:zcpack"),
            executable = True,
            allow_single_file = True,
            cfg = "exec",
            doc = "the zcpack binary (zcpack_binary in repositories.bzl, or any label of a prebuilt one)",
        ),
    },
    doc = "A zcpack pack from an asset tree: one import action per file, one link.",
)
