"""pytest under `bazel test`: one macro per kind of target so that BUILD files stay short."""

# Label(): these name this repository's targets also when another repository calls the macros
# (tools/conformance.bzl).
_RUNNER = Label("//tools:pytest_runner.py")

# Always there: the runner imports it. Keyed by the name a caller's deps may already list.
_TEST_DEPS = {
    "@pypi//pytest": Label("@pypi//pytest"),
}

# Only `--config=cuda` reaches the CUDA wheels; an unselected branch is never fetched.
_ACCELERATOR_DEPS = select({
    # Bazel 4 takes only strings as keys; str() of a Label names its repository.
    str(Label("//tools:cuda")): [Label("@pypi_cuda//:cuda")],
    "//conditions:default": [],
})

def _pytest(name, srcs, files, pytest_args, deps, data, args, size, kwargs):
    native.py_test(
        name = name,
        srcs = srcs + [_RUNNER],
        main = _RUNNER,
        # The runner takes the files to collect, `--`, then extra pytest arguments.
        args = ["$(rootpaths %s)" % f for f in files] + ["--"] + pytest_args + args,
        data = data,
        deps = deps + [label for d, label in _TEST_DEPS.items() if d not in deps] + _ACCELERATOR_DEPS,
        size = size,
        **kwargs
    )

def pytest_test(name, srcs, deps = [], data = [], args = [], size = "medium", **kwargs):
    """Runs pytest on the test files `srcs`.

    Writes JUnit XML where Bazel expects it, shards as `shard_count` asks, and fails when
    pytest collects no test. The suite's hypothesis profiles are spec_tests/runner/profiles.py's
    (`--config=extended` and `--config=thorough` in .bazelrc pick one). pytest reads no ini file (-c /dev/null): give options in
    `args`. Other keyword arguments (env, tags, ...) go to py_test.
    """
    _pytest(name, srcs, srcs, [], deps, data, args, size, kwargs)

def pytest_doctest(name, srcs, deps = [], data = [], args = [], size = "medium", **kwargs):
    """Runs the docstring examples of the modules `srcs`, which `deps` must provide."""
    _pytest(name, [], srcs, ["--doctest-modules"], deps, data + srcs, args, size, kwargs)

def benchmark_process(name, src, deps = [], data = [], **kwargs):
    """Runs the benchmarks of the test file `src`, which is its own main (see benchmarks/inoxbench/runner.py).

    NAME is a py_test that `bazel test //...` skips (tag manual), that runs alone (exclusive)
    and is never cached (no-cache, external); its pytest-benchmark JSON lands in its undeclared
    outputs. NAME_runner is the same process as a py_binary, which //benchmarks:track runs
    with a JSON path of its own; manual too, so that `bazel test //...` does not even fetch
    the peers' wheels. Other keyword arguments go to both.
    """
    common = dict(
        srcs = [src],
        main = src,
        deps = deps + _ACCELERATOR_DEPS,
        data = data + ["conftest.py", "pytest.ini"],  # of the calling package
        python_version = "PY3",
    )
    common.update(kwargs)
    native.py_test(
        name = name,
        size = "large",
        timeout = "eternal",
        tags = ["manual", "benchmark", "exclusive", "no-cache", "external"],
        **common
    )
    native.py_binary(
        name = name + "_runner",
        tags = ["manual", "benchmark"],
        **common
    )
