"""Main of lint_test (tools/lint.bzl): ruff, then basedpyright, over the Python files here.

Argument: pyproject.toml, which holds both tools' settings. The files are every .py file under
the working directory, which `bazel test` makes the main repository's runfiles: exactly the
packages of the lint scope. Exits 1 when either tool reports anything.
"""

import os
import subprocess
import sys


def python_files(top):
    found = []
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    return found


def main(config):
    files = python_files(".")
    if not files:
        sys.exit("lint: no Python files to check")
    print(f"lint: {len(files)} files", flush=True)
    # Files are given explicitly, so ruff's own exclusions do not apply: the scope decides.
    ruff = run("ruff", "check", "--no-cache", "--output-format", "concise", "--config", config, *files)
    # --pythonpath: this interpreter, whose sys.path (PYTHONPATH from Bazel) has every dependency.
    pyright = run("basedpyright", "--project", config, "--pythonpath", sys.executable, *files)
    return 1 if ruff or pyright else 0


def run(tool, *args):
    """Runs `python -m TOOL ARGS`, prints its output with paths relative to here; its exit status."""
    res = subprocess.run([sys.executable, "-m", tool, *args], capture_output=True, text=True)
    print(f"lint: {tool}", (res.stdout + res.stderr).replace(os.getcwd() + os.sep, ""), sep="\n", flush=True)
    return res.returncode


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
