"""Hash-locked wheels from PyPI as Bazel repositories, with rules_python's hub labels.

`pypi_locks` reads the lock files and generates `repos.bzl`, whose `pypi_repos()` declares
one lazily fetched repository per locked wheel (`@<hub>__<name>`) and one hub per lock that
holds only aliases (`@<hub>//<name>`, `@<hub>//<name>:whl`). A wheel repository gets its own
lock line as an attribute, so editing one line re-fetches only that wheel.
"""

_PYTHON = "@python//:base_python"

def _label_name(name):
    # Lock files hold PEP 503 names (see lock.py); hubs use rules_python's spelling.
    return name.lower().replace("-", "_").replace(".", "_")

def _lock_lines(text):
    # As requirement_lines() in wheels.py.
    lines = [l.split("#")[0].strip() for l in text.splitlines()]
    return [l for l in lines if l]

def _line_name(line):
    return _label_name(line.split("==")[0].split("[")[0])

def _lock_name(label):
    return label.package + "/" + label.name

def _fetch(rctx, lines, lock_name):
    """Runs fetch_wheel.py on `lines` and returns its report: {"wheels": [...], "deps": [...]}."""
    tool = rctx.path(Label("//tools:fetch_wheel.py"))

    # Read too, so that a change to the shared helper re-fetches.
    rctx.path(Label("//tools:wheels.py"))
    res = rctx.execute(
        [rctx.path(rctx.attr.python), "-B", tool, "report.json", lock_name] + lines,
        timeout = 3600,
    )
    if res.return_code != 0:
        fail("\n" + res.stderr)
    report = json.decode(rctx.read("report.json"))
    rctx.delete("report.json")
    return report

def _library_build(rctx, name, report):
    """BUILD text of a py_library over the installed site-packages."""
    return """\
package(default_visibility = ["//visibility:public"])

# Bazel 4 runfiles cannot hold file names with spaces (only test data, e.g. in scipy).
_SPACES = ["site-packages/**/* *"]

py_library(
    name = "{name}",
    srcs = glob(["site-packages/**/*.py"], exclude = _SPACES),
    data = glob(["site-packages/**"], exclude = _SPACES + ["site-packages/**/*.py"]),
    imports = ["site-packages"],
    deps = {deps},
)
""".format(name = name, deps = repr(["@%s//%s" % (rctx.attr.hub, d) for d in report["deps"]]))

def _pypi_wheel_impl(rctx):
    rctx.report_progress("fetching " + rctx.attr.line.split(" ")[0])
    report = _fetch(rctx, [rctx.attr.line], rctx.attr.lock_name)
    rctx.file("BUILD.bazel", _library_build(rctx, "pkg", report) + """
filegroup(
    name = "whl",
    srcs = ["{}"],
)
""".format(report["wheels"][0]))

pypi_wheel = repository_rule(
    implementation = _pypi_wheel_impl,
    attrs = {
        "hub": attr.string(mandatory = True, doc = "Hub whose labels the wheel's dependencies use."),
        "line": attr.string(mandatory = True, doc = "The wheel's line of the lock file."),
        "lock_name": attr.string(mandatory = True, doc = "The lock file, for error messages."),
        "python": attr.label(default = _PYTHON, doc = "Interpreter with pip."),
    },
)

def _pypi_hub_impl(rctx):
    rctx.file("BUILD.bazel", "# Aliases only: see the folder of each package.\n")
    for name, repo in rctx.attr.packages.items():
        rctx.file(name + "/BUILD.bazel", """\
package(default_visibility = ["//visibility:public"])

alias(
    name = "{name}",
    actual = "@{repo}//:pkg",
)

alias(
    name = "whl",
    actual = "@{repo}//:whl",
)
""".format(name = name, repo = repo))

pypi_hub = repository_rule(
    implementation = _pypi_hub_impl,
    attrs = {"packages": attr.string_dict(doc = "Label name -> wheel repository.")},
)

def pypi_lock_repos(locks, base, read):
    """The repositories of `locks` (lock Label -> hub), as (rule name, attributes) pairs.

    Shared by WORKSPACE (through pypi_locks) and MODULE.bazel (through tools/extensions.bzl);
    `read` reads a lock file's text.
    """
    hubs = {}
    lock_names = {}
    for lock, hub in locks.items():
        hubs[hub] = {_line_name(line): line for line in _lock_lines(read(lock))}
        lock_names[hub] = _lock_name(lock)
    repos = []
    for hub, lines in hubs.items():
        packages = {name: "%s__%s" % (base, name) for name in hubs[base]}
        for name, line in lines.items():
            packages[name] = "%s__%s" % (hub, name)
            repos.append(("pypi_wheel", dict(
                name = packages[name],
                hub = hub,
                line = line,
                lock_name = lock_names[hub],
            )))
        repos.append(("pypi_hub", dict(name = hub, packages = packages)))
    return repos

def _pypi_locks_impl(rctx):
    repos = pypi_lock_repos(rctx.attr.locks, rctx.attr.base, rctx.read)
    rctx.file("BUILD.bazel", "")
    rctx.file("repos.bzl", "".join([
        "# Generated from the lock files by pypi_locks.\n",
        'load("@//tools:pypi.bzl", "pypi_hub", "pypi_wheel")\n\n',
        "def pypi_repos():\n",
    ] + ["    %s(**%r)\n" % (rule, attrs) for rule, attrs in repos]))

pypi_locks = repository_rule(
    implementation = _pypi_locks_impl,
    attrs = {
        "base": attr.string(mandatory = True, doc = "Hub whose packages the other hubs fall back to."),
        "locks": attr.label_keyed_string_dict(mandatory = True, allow_files = True, doc = "Lock file -> hub name."),
    },
)

def _pypi_bundle_impl(rctx):
    lines = _lock_lines(rctx.read(rctx.attr.lock))
    report = _fetch(rctx, lines, _lock_name(rctx.attr.lock))
    for wheel in report["wheels"]:
        # Only the installed files are used; the wheels would double the disk use.
        rctx.delete(wheel)
    rctx.file("BUILD.bazel", _library_build(rctx, rctx.attr.target, report))

pypi_bundle = repository_rule(
    implementation = _pypi_bundle_impl,
    doc = "All wheels of one lock installed into ONE site-packages, for packages that find each other by path.",
    attrs = {
        "hub": attr.string(default = "pypi", doc = "Hub for dependencies outside the bundle."),
        "lock": attr.label(mandatory = True, allow_single_file = True),
        "python": attr.label(default = _PYTHON, doc = "Interpreter with pip."),
        "target": attr.string(mandatory = True, doc = "Name of the py_library at the repository root."),
    },
)
