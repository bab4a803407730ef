"""Regenerates the hash-locked requirement files: ./bazelw run //tools:lock

Arguments: the interpreter with pip, then IN=OUT pairs of workspace paths. The first pair is
the main lock; each later lock is resolved against it and holds only what the main lock lacks.
Every lock pins one wheel per package, the one pip picks for this interpreter and platform.
"""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

if __name__ == "__main__" and importlib.util.find_spec("pip") is None:
    # py_binary runs in the venv, which has no pip; go on in the interpreter that has it
    # (pip and, for wheels.py, its copy of packaging).
    os.execv(sys.argv[1], [sys.argv[1], "-B", os.path.abspath(__file__)] + sys.argv[1:])

import wheels  # noqa: E402 (after the switch of interpreter)


def pip(python, *args):
    subprocess.run([python, "-m", "pip"] + list(args), check=True)


def resolve(python, in_file, constraints, tmp):
    """pip's resolution of `in_file`: the report's "install" items."""
    report = os.path.join(tmp, "report.json")
    args = [
        "install",
        "--dry-run",
        "--ignore-installed",
        "--only-binary=:all:",
        "--quiet",
        "--report",
        report,
        "-r",
        in_file,
    ]
    if constraints:
        args += ["-c", constraints]
    pip(python, *args)
    with open(report) as f:
        return json.load(f)["install"]


def requested_extras(requirements, items):
    """Extras that `requirements` or any resolved package asks of each package."""
    metadata = {wheels.normalize(i["metadata"]["name"]): i["metadata"] for i in items}
    wanted = {name: set() for name in metadata}
    for line in requirements:
        req = wheels.Requirement(line)
        wanted[wheels.normalize(req.name)] |= set(wheels.normalize(e) for e in req.extras)
    changed = True
    while changed:
        changed = False
        for name, md in metadata.items():
            for req in wheels.active_requirements(name, wanted[name], md.get("requires_dist", [])):
                target = wanted[wheels.normalize(req.name)]
                more = set(wheels.normalize(e) for e in req.extras) - target
                if more:
                    target |= more
                    changed = True
    return wanted


def sha256(python, name, version, item, tmp):
    """The sha256 that the index gave pip, or else that of the wheel downloaded here."""
    known = item["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256")
    if known:
        return known
    dest = os.path.join(tmp, name)
    pip(python, "download", "--no-deps", "--only-binary=:all:", "--dest", dest, f"{name}=={version}")
    (wheel,) = os.listdir(dest)
    with open(os.path.join(dest, wheel), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def lock(python, in_file, out_file, base):
    """Writes `out_file` from `in_file`, leaving out the packages of the lock text `base`."""
    with open(in_file) as f:
        requirements = wheels.requirement_lines(f.read())
    in_base = {}
    for line in wheels.requirement_lines(base):
        name, _, version = wheels.parse_lock_line(line)
        in_base[name] = version
    with tempfile.TemporaryDirectory() as tmp:
        constraints = None
        if in_base:
            constraints = os.path.join(tmp, "constraints.txt")
            with open(constraints, "w") as f:
                f.writelines(f"{name}=={version}\n" for name, version in sorted(in_base.items()))
        items = resolve(python, in_file, constraints, tmp)
        extras = requested_extras(requirements, items)
        lines = {}
        for item in items:
            name = wheels.normalize(item["metadata"]["name"])
            if name in in_base:
                continue
            version = item["metadata"]["version"]
            spec = name + (f"[{','.join(sorted(extras[name]))}]" if extras[name] else "")
            lines[name] = f"{spec}=={version} --hash=sha256:{sha256(python, name, version, item, tmp)}\n"
    with open(out_file, "w") as f:
        f.write(f"# Generated from {in_file} by `./bazelw run //tools:lock`. Do not edit.\n")
        f.writelines(line for _, line in sorted(lines.items()))
    print(f"wrote {out_file} ({len(lines)} wheels)")


def main(python, *pairs):
    python = os.path.abspath(python)
    # `bazel run` starts in the runfiles; the lock files live in the source tree.
    os.chdir(os.environ.get("BUILD_WORKSPACE_DIRECTORY", "."))
    base = ""
    for pair in pairs:
        in_file, out_file = pair.split("=")
        lock(python, in_file, out_file, base)
        if not base:
            with open(out_file) as f:
                base = f.read()


if __name__ == "__main__":
    main(*sys.argv[1:])
