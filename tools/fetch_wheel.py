"""Fetches hash-locked wheels and installs them into one site-packages folder.

Run by the repository rules in pypi.bzl with the base interpreter (the one with pip):
    fetch_wheel.py OUT_JSON LOCK_NAME LINE...
Each LINE is one line of LOCK_NAME. Writes {"wheels": [file names], "deps": [label names]} to
OUT_JSON, where deps are the dependencies of the installed packages that are not among them.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

import wheels


def _pip(*args):
    res = subprocess.run([sys.executable, "-m", "pip"] + list(args), capture_output=True, text=True)
    return res.returncode, res.stdout + res.stderr


def _tail(output, lines=25):
    return "\n".join(output.strip().splitlines()[-lines:])


def _download(line, lock_name):
    name, _, version = wheels.parse_lock_line(line)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write(line + "\n")
    before = set(glob.glob("*.whl"))
    # Unpinned configuration (index, find-links) comes from the user's pip config, on purpose.
    rc, out = _pip("download", "--no-deps", "--require-hashes", "--only-binary=:all:", "--dest", ".", "-r", req.name)
    os.unlink(req.name)
    if rc != 0:
        if "DO NOT MATCH THE HASHES" in out:
            sys.exit(
                f"{name}=={version}: the hash in {lock_name} does not match the downloaded wheel. "
                f"If the new wheel is trusted, regenerate the lock: ./bazelw run //tools:lock\n{_tail(out)}"
            )
        sys.exit(f"could not fetch {name}=={version} (from {lock_name}); pip said:\n{_tail(out)}")
    (wheel,) = set(glob.glob("*.whl")) - before
    return wheel


def main(out_json, lock_name, *lines):
    files = [_download(line, lock_name) for line in lines]
    rc, out = _pip("install", "--no-deps", "--no-index", "--target", "site-packages", *files)
    if rc != 0:
        sys.exit(f"installing {', '.join(files)} failed:\n{_tail(out)}")

    locked = {}
    for line in lines:
        name, extras, _ = wheels.parse_lock_line(line)
        locked[name] = extras
    deps = set()
    for metadata in glob.glob("site-packages/*.dist-info/METADATA"):
        with open(metadata, encoding="utf-8") as f:
            name, requirements = wheels.parse_metadata(f.read())
        for req in wheels.active_requirements(name, locked.get(name, []), requirements):
            if wheels.normalize(req.name) not in locked:
                deps.add(wheels.label_name(req.name))
    with open(out_json, "w") as f:
        json.dump({"wheels": files, "deps": sorted(deps)}, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
