"""Module extension for Bazel 7+: the lock bundles that rules_python has no counterpart for."""

load(":pypi.bzl", "pypi_bundle")

_bundle = tag_class(attrs = {
    "name": attr.string(mandatory = True),
    "lock": attr.label(mandatory = True),
    "python": attr.label(mandatory = True, doc = "Interpreter with pip."),
    "target": attr.string(mandatory = True),
})

def _pypi_bundles_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.bundle:
            pypi_bundle(name = tag.name, lock = tag.lock, python = tag.python, target = tag.target)

pypi_bundles = module_extension(
    implementation = _pypi_bundles_impl,
    tag_classes = {"bundle": _bundle},
)
