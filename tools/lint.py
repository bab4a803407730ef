"""Main of lint_test (tools/lint.bzl): ruff's linter and formatter, then basedpyright, over the files it names.

Arguments: pyproject.toml, which holds both tools' settings, then a file that lists the Python
files to check, one a line, relative to the working directory (the runfiles' main repository,
under `bazel test`). Exits 1 when any of them reports anything.
"""

import os
import subprocess
import sys


def main(config, listing):
    with open(listing) as f:
        files = [line for line in f.read().splitlines() if line]
    if not files:
        sys.exit(f"lint: {listing} names no file to check")
    print(f"lint: {len(files)} files", flush=True)
    # Files are given explicitly, so ruff's own exclusions do not apply: the scope decides.
    ruff = run("ruff check", "ruff", "check", "--no-cache", "--output-format", "concise", "--config", config, *files)
    # --diff: the log shows what `ruff format` would change.
    ruff_format = run("ruff format", "ruff", "format", "--no-cache", "--diff", "--config", config, *files)
    # --pythonpath: this interpreter, whose sys.path (PYTHONPATH from Bazel) has every dependency.
    pyright = run("basedpyright", "basedpyright", "--project", config, "--pythonpath", sys.executable, *files)
    return 1 if ruff or ruff_format or pyright else 0


def run(step, tool, *args):
    """Runs `python -m TOOL ARGS`, prints its output under the name of the step with paths
    relative to here; its exit status."""
    res = subprocess.run([sys.executable, "-m", tool, *args], capture_output=True, text=True)
    print(f"lint: {step}", (res.stdout + res.stderr).replace(os.getcwd() + os.sep, ""), sep="\n", flush=True)
    return res.returncode


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
