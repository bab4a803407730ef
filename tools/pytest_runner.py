"""Main of every pytest_test: runs pytest as `bazel test` expects.

Arguments: the files to collect, then `--`, then extra pytest arguments.
"""

import os
import sys

import pytest


def check_cuda():
    """Under --config=cuda, a machine without a GPU must fail instead of running on CPU."""
    if os.environ.get("JAX_PLATFORMS") != "cuda":
        return
    try:
        import jax
    except ImportError:
        return  # This test does not use jax.
    try:
        jax.devices("cuda")
    except Exception as e:  # jax raises RuntimeError or AssertionError, depending on how it fails
        sys.exit(
            "no CUDA device: JAX_PLATFORMS=cuda (from --config=cuda) but jax found no usable GPU "
            f"({type(e).__name__}: {e})"
        )


class Shard:
    """Bazel's test sharding (shard_count): this process runs every TOTAL-th test, starting at INDEX."""

    def __init__(self, index, total):
        self.index, self.total = index, total

    def pytest_collection_modifyitems(self, config, items):
        kept = items[self.index :: self.total]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def shard_from_environment():
    """The Shard that Bazel asks for, if any; tells Bazel that this runner shards."""
    total = int(os.environ.get("TEST_TOTAL_SHARDS", "1"))
    if total <= 1:
        return None
    status = os.environ.get("TEST_SHARD_STATUS_FILE")
    if status:
        open(status, "a").close()
    return Shard(int(os.environ["TEST_SHARD_INDEX"]), total)


def main(argv):
    split = argv.index("--")
    files, extra = argv[:split], argv[split + 1 :]
    if not files:
        sys.exit("pytest_runner: no files to test (is the srcs glob empty?)")
    check_cuda()
    args = ["-p", "no:cacheprovider", "--rootdir", os.getcwd(), "-c", os.devnull]
    if "XML_OUTPUT_FILE" in os.environ:
        args += ["--junitxml", os.environ["XML_OUTPUT_FILE"]]
    shard = shard_from_environment()
    code = pytest.main(args + extra + files, plugins=[] if shard is None else [shard])
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("pytest_runner: no test was collected, which counts as a failure", file=sys.stderr)
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
