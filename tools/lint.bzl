"""//:lint: ruff and basedpyright, with the settings of pyproject.toml, under `bazel test`.

A package's BUILD file calls `lint_files()` to offer its Python files; the root BUILD file calls
`lint_test(name = "lint")`, which checks the Python files of LINT_FILES but LINT_UNCHECKED.
"""

# The Python files that //:lint sees. All of them are there when it runs, so that imports of
# them resolve (an unresolved import is an error to basedpyright, a third-party one to ruff).
LINT_FILES = [
    "//:lint_files",
    "//benchmarks:lint_files",
    "//inox:lint_files",
    "//spec_tests:lint_files",
    "//tools:lint_files",
    "//tools/tests:lint_files",
]

# Those of LINT_FILES that //:lint does not check: none.
LINT_UNCHECKED = []

_RUNNER = Label("//tools:lint.py")

# Both tools, and what the checked code imports, so that basedpyright resolves every import.
_DEPS = [
    "@pypi//basedpyright",
    "@pypi//cython",
    "@pypi//equinox",
    "@pypi//flax",
    "@pypi//hypothesis",
    "@pypi//jax",
    "@pypi//matplotlib",
    "@pypi//mutmut",
    "@pypi//numpy",
    "@pypi//packaging",
    "@pypi//pytest",
    "@pypi//pytest_benchmark",
    "@pypi//ruff",
]

def lint_files(name = "lint_files"):
    """The Python files of this package (not of its subpackages), for //:lint."""
    native.filegroup(
        name = name,
        # mutants/: mutmut's copy of the tree (tools/mutation); bazel-*: Bazel's output links.
        srcs = native.glob(["**/*.py"], exclude = ["mutants/**", "bazel-*/**"]),
        visibility = ["//:__pkg__"],
    )

def _checked_files_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".txt")
    paths = [f.short_path for target in ctx.attr.srcs for f in target.files.to_list() if f.extension == "py"]
    ctx.actions.write(out, "".join([path + "\n" for path in sorted(paths)]))
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

# The paths of the Python files of `srcs`, one a line, relative to the runfiles' main repository.
_checked_files = rule(
    implementation = _checked_files_impl,
    attrs = {"srcs": attr.label_list(allow_files = True)},
)

def lint_test(name, files = LINT_FILES, unchecked = LINT_UNCHECKED, config = "pyproject.toml", **kwargs):
    """Fails when ruff or basedpyright finds anything in the files of `files` but `unchecked`.

    Other keyword arguments go to py_test.
    """
    _checked_files(
        name = name + "_checked",
        srcs = [label for label in files if label not in unchecked],
        visibility = ["//visibility:private"],
    )
    native.py_test(
        name = name,
        srcs = [_RUNNER],
        main = _RUNNER,
        args = [
            "$(rootpath %s)" % config,
            "$(rootpath :%s_checked)" % name,
        ],
        data = [config, ":%s_checked" % name] + files,
        deps = [Label(dep) for dep in _DEPS],
        size = "medium",
        **kwargs
    )
