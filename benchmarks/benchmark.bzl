"""Benchmark processes under Bazel: one test file, two targets."""

# Only `--config=cuda` reaches the CUDA wheels (as in //tools:pytest.bzl).
_ACCELERATOR_DEPS = select({
    "//tools:cuda": ["@pypi_cuda//:cuda"],
    "//conditions:default": [],
})

def benchmark_process(name, src, deps = [], data = [], **kwargs):
    """Runs the benchmarks of the test file `src`, which is its own main (see inoxbench/runner.py).

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
        data = data + ["conftest.py", "pytest.ini"],
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
