"""conformance_test: the conformance suite of SPEC.md on any implementation, under `bazel test`.

For repositories that pull this one in as `inox_monorepo` (see downstream/bazel_workspace):

    load("@inox_monorepo//tools:conformance.bzl", "conformance_test")

    conformance_test(
        name = "conformance",
        adapter = "my_package.my_adapter",
        deps = [":my_adapter"],
    )
"""

load(":pytest.bzl", "pytest_test")

def conformance_test(name, adapter, deps, features = None, args = [], shard_count = 4, **kwargs):
    """Runs the suite's conformance tests (`-m spec`, not its self-tests) on one implementation.

    Args:
      name: the test's name.
      adapter: `module.path` or `module.path:ATTRIBUTE` of the implementation's adapter, an
        instance of `spec_tests.adapters.Adapter` (README, "Checking another implementation").
      deps: the py_library of the adapter and of the implementation it imports.
      features: the optional features of SPEC.md to check besides the core (`[]`: the core
        only); default: those the adapter declares. Tests of other features are not run.
      args: more pytest arguments, e.g. `--spec-profile=extended`.
      shard_count: Bazel test shards, as this repository's own run of the suite.
      **kwargs: to py_test (size, tags, env, ...).
    """
    pytest_test(
        name = name,
        srcs = [Label("//spec_tests:properties")],
        args = [
            "-m",
            "spec",
            "--impl=" + adapter,
            # Append: the folders above spec_tests must not shadow the implementation's modules.
            "--import-mode=append",
            # The runfiles root, which holds the suite's files beside the caller's, so that test
            # ids name their file.
            "--rootdir=..",
            "-p",
            "conformance_features",
        ] + ([] if features == None else ["--conformance-features=" + ",".join(features)]) + args,
        deps = deps + [
            Label("//spec_tests:lib"),
            Label("//tools:conformance_features"),
        ],
        shard_count = shard_count,
        **kwargs
    )
