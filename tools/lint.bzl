"""//:lint: ruff and basedpyright, with the settings of pyproject.toml, under `bazel test`.

A package's BUILD file calls `lint_files()` to offer its Python files; the root BUILD file calls
`lint_test(name = "lint")`, which checks the Python files of the targets in LINT_SCOPE.
"""

# What //:lint checks: change the scope here, and only here.
LINT_SCOPE = [
    "//:lint_files",
    "//benchmarks:lint_files",
    "//spec_tests:lint_files",
    "//tools:lint_files",
    "//tools/tests:lint_files",
    # inox/ is being restructured, its BUILD file too: until that calls lint_files(), its library
    # (all of inox/ but tests/) stands in for it.
    "//inox",
]

_RUNNER = Label("//tools:lint.py")

# Both tools, and what the checked code imports, so that basedpyright resolves every import
# (an unresolved import is an error in its standard mode).
_DEPS = [
    "@pypi//basedpyright",
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

def lint_test(name, scope = LINT_SCOPE, config = "pyproject.toml", **kwargs):
    """Fails when ruff or basedpyright finds anything in the files of `scope`.

    The runner checks every .py file in its runfiles' main repository: the files of `scope`
    and itself (tools/lint.py). Other keyword arguments go to py_test.
    """
    native.py_test(
        name = name,
        srcs = [_RUNNER],
        main = _RUNNER,
        args = ["$(rootpath %s)" % config],
        data = [config] + scope,
        deps = [Label(dep) for dep in _DEPS],
        size = "medium",
        **kwargs
    )
