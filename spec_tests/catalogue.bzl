"""The implementations that this repository checks and benchmarks besides its own, each declared once:
inox's releases, and other frameworks' designs of tied weights.

Starlark (tools/locks.bzl, BUILD files) and Python (spec_tests.adapters, benchmarks/, tools/tests)
read this file, so it holds literals only. The reference implementation, this repository's
//inox, is not listed: it is always there.

A release `X.Y.Z` has:
- its lock, requirements/inox_X_Y_Z.in (and .txt, made by ./bazelw run //tools:lock), installed
  as the hub @pypi_inox_X_Y_Z, which MODULE.bazel's use_repo names (checked by
  //tools/tests:build_files_test);
- its conformance adapter, spec_tests.adapters.released's, with the options given here;
- its expected results in spec_tests/expected/released.json;
- a benchmark peer if `peer` names a module of benchmarks/inoxbench/peers/.
"""

# Newest first.
RELEASES = [
    {"version": "0.8.0", "adapter": {"reference_key": "obj"}, "peer": "inox_0_8_0"},
    {"version": "0.7.1", "adapter": {}, "peer": None},
    {"version": "0.5.0", "adapter": {}, "peer": None},
]

# Other frameworks, judged on SPEC.md's core in their own idiom (SPEC.md, "Conformance levels"):
# each has its adapter, spec_tests.adapters.<name>, and its expected results in
# spec_tests/expected/released.json. Their packages come from the main lock,
# requirements/lock.txt (hub @pypi), where they are pinned and hash-locked beside the jax
# that the reference runs on: a lock of their own would pin a second jax.
FRAMEWORKS = [
    {"name": "nnx", "packages": ["flax"]},
    {"name": "nnx_jax", "packages": ["flax"]},
    {"name": "equinox", "packages": ["equinox"]},
]
