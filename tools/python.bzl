"""Finds a local CPython of the pinned version and turns it into an isolated venv toolchain."""

load(":python_version.bzl", "PYTHON_VERSION")

_PROBE = "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.implementation.name); print(sys.executable)"

def _pyenv_candidates(rctx):
    env = rctx.os.environ
    root = env.get("PYENV_ROOT") or (env.get("HOME", "") + "/.pyenv")
    versions = rctx.path(root + "/versions")
    if not versions.exists:
        return []
    found = []
    for d in versions.readdir():
        patch = d.basename[len(PYTHON_VERSION) + 1:]
        if d.basename.startswith(PYTHON_VERSION + ".") and patch.isdigit():
            found.append((int(patch), str(d) + "/bin/python" + PYTHON_VERSION))

    # Newest patch release first.
    return [exe for _, exe in sorted(found, reverse = True)]

def _probe(rctx, exe):
    """Returns (sys.executable, None) if `exe` is a usable CPython of our version, else (None, why)."""
    res = rctx.execute([exe, "-c", _PROBE])
    if res.return_code != 0:
        return None, "could not run it: " + (res.stderr.strip() or res.stdout.strip())
    version, impl, executable = res.stdout.strip().split("\n")
    if version != PYTHON_VERSION or impl != "cpython":
        return None, "it is %s %s, not CPython %s" % (impl, version, PYTHON_VERSION)

    # pip fetches and installs the locked wheels (see pypi.bzl).
    if rctx.execute([executable, "-m", "pip", "--version"]).return_code != 0:
        return None, "it has no pip (install pip for it, e.g. `%s -m ensurepip`)" % executable
    return executable, None

def _find_python(rctx):
    override = rctx.os.environ.get("INOX_PYTHON")
    if override:
        # An explicit choice never falls back silently to another interpreter.
        exe, why = _probe(rctx, override)
        if not exe:
            fail("INOX_PYTHON=%s cannot be used: %s. Point INOX_PYTHON at a CPython %s, or unset it." %
                 (override, why, PYTHON_VERSION))
        return exe

    candidates = []
    on_path = rctx.which("python" + PYTHON_VERSION)
    if on_path:
        candidates.append(str(on_path))
    candidates += _pyenv_candidates(rctx)
    rejected = []
    for candidate in candidates:
        exe, why = _probe(rctx, candidate)
        if exe:
            return exe
        rejected.append("  %s: %s" % (candidate, why))
    fail("\n".join([
        "No usable CPython %s found. Looked at $INOX_PYTHON (unset), python%s on PATH and $PYENV_ROOT/versions/%s.*." %
        (PYTHON_VERSION, PYTHON_VERSION, PYTHON_VERSION),
    ] + rejected + [
        "Install CPython %s with pip, e.g. `pyenv install %s` or `apt-get install python%s python%s-venv python3-pip`," %
        (PYTHON_VERSION, PYTHON_VERSION, PYTHON_VERSION, PYTHON_VERSION),
        "or set INOX_PYTHON=/path/to/python%s." % PYTHON_VERSION,
    ]))

_BUILD = """\
load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

package(default_visibility = ["//visibility:public"])

# The interpreter that repository rules use to run pip; build actions and tests use the venv.
exports_files(["base_python"])

py_runtime(
    name = "runtime",
    files = glob(["venv/**"]),
    interpreter = "venv/bin/python3",
    python_version = "PY3",
    # Bazel's default stub shebang names `python`, which Debian does not ship.
    stub_shebang = "#!/usr/bin/env python3",
)

# The interpreter's C headers, for extension modules (tools/cython.bzl).
cc_library(
    name = "headers",
    hdrs = glob(["include/**/*.h"]),
    includes = ["include"],
)

py_runtime_pair(
    name = "runtime_pair",
    py3_runtime = ":runtime",
)

toolchain(
    name = "toolchain",
    toolchain = ":runtime_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)
"""

def _python_interpreter_impl(rctx):
    exe = _find_python(rctx)
    rctx.symlink(exe, "base_python")
    include = rctx.execute([exe, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"])
    if include.return_code != 0 or not rctx.path(include.stdout.strip() + "/Python.h").exists:
        fail("%s has no C headers (Python.h), which extension modules need (on Debian: apt-get install python%s-dev)" %
             (exe, PYTHON_VERSION))
    rctx.symlink(include.stdout.strip(), "include")

    # No pip and no system site-packages: tests see only the wheels in their deps.
    res = rctx.execute([exe, "-m", "venv", "--without-pip", "venv"])
    if res.return_code != 0:
        fail("Creating a venv with %s failed (on Debian: apt-get install python%s-venv):\n%s" %
             (exe, PYTHON_VERSION, res.stderr))

    # Every test has the venv among its inputs: only the interpreter's path may be named in it, not
    # this folder's, so that the inputs (remote cache keys) are the same in any output base. The
    # `command` line of pyvenv.cfg and the activate scripts name the folder; nothing reads them.
    cfg = rctx.read("venv/pyvenv.cfg")
    rctx.file("venv/pyvenv.cfg", "".join([
        line + "\n"
        for line in cfg.split("\n")
        if line and not line.startswith("command =")
    ]), executable = False)
    for script in ["activate", "activate.csh", "activate.fish", "Activate.ps1"]:
        rctx.delete("venv/bin/" + script)
    rctx.file("BUILD.bazel", _BUILD)

python_interpreter = repository_rule(
    implementation = _python_interpreter_impl,
    environ = ["INOX_PYTHON", "PATH", "PYENV_ROOT", "HOME"],
    doc = "A venv of a local CPython %s: $INOX_PYTHON, else python%s on PATH, else pyenv's newest." %
          (PYTHON_VERSION, PYTHON_VERSION),
)
