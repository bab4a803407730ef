"""Pure-Python modules compiled to extension modules by Cython."""

# Label(): these name this repository's targets also when another repository calls the macro.
_CYTHON = Label("//tools:cython")
_HEADERS = Label("@python//:headers")

def cython_module(name, src, module, pxd = None):
    """Compiles `src`, the source of the Python module `module` (e.g. "inox.fast.walk"), into the
    extension module `<name>.so`; `pxd`, the file beside `src` that declares C types for its
    names (Cython's augmenting .pxd), if it has one.

    The calling package's folder is the top package of `module` (inox/ for inox.fast.walk):
    Cython finds the .pxd by the module's name, through the `__init__.py` of each package.

    Put it in the runfiles beside `src` (in a py_library's `data`): in a folder that holds both,
    Python imports the extension module, and `src` stays the source that is read, linted and
    mutated. The C file is `<name>.c`.
    """
    folders = src.split("/")[:-1]
    inits = ["/".join(folders[:i] + ["__init__.py"]) for i in range(len(folders) + 1)]
    native.genrule(
        name = name + "_c",
        srcs = [src] + ([pxd] if pxd else []) + inits,
        outs = [name + ".c"],
        cmd = "$(execpath %s) -3 --module-name %s -o $@ $(execpath %s)" % (_CYTHON, module, src),
        tools = [_CYTHON],
    )
    native.cc_binary(
        name = name + ".so",
        srcs = [name + ".c"],
        # Optimized in every compilation mode (Bazel's default, fastbuild, passes no -O), as
        # setuptools builds extensions. Cython's C casts pointers in ways that strict aliasing
        # does not allow, so CPython's own flag against it.
        copts = ["-O2", "-fno-strict-aliasing"],
        linkshared = True,
        deps = [_HEADERS],
    )
