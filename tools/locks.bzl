"""The one place where lock files meet hubs, read by WORKSPACE and tools/extensions.bzl alike.

Python reads this file too (tools/tests/build_files_test.py runs it), so it keeps to what
Starlark and Python share: literals, comprehensions, % formatting and plain functions.
"""

load("//spec_tests:catalogue.bzl", "RELEASES")

# The released inox versions of the catalogue, newest first. MODULE.bazel cannot load this
# file: it names their hubs itself.
INOX_RELEASES = [release["version"] for release in RELEASES]

def inox_release_name(version):
    """`inox_0_8_0` for "0.8.0": the name of its lock file, of its hub after `pypi_` and of its targets."""
    return "inox_" + version.replace(".", "_")

# The hub whose packages the other hubs fall back to.
BASE_HUB = "pypi"

# Lock file -> hub. The inox releases are alternate implementations of our own //inox, so each
# sits in its own hub.
LOCKS = dict(
    [("//requirements:lock.txt", "pypi")] +
    [("//requirements:%s.txt" % inox_release_name(v), "pypi_" + inox_release_name(v)) for v in INOX_RELEASES],
)

# Installed into one site-packages as @pypi_cuda//:cuda; fetched only under --config=cuda.
CUDA_LOCK = "//requirements:lock_cuda.txt"

# IN=OUT pairs for //tools:lock, the main lock first: each later lock holds only what it lacks.
LOCK_INPUTS = [
    "requirements/requirements.in=requirements/lock.txt",
    "requirements/cuda.in=requirements/lock_cuda.txt",
] + ["requirements/{0}.in=requirements/{0}.txt".format(inox_release_name(v)) for v in INOX_RELEASES]
