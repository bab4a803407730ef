"""Fetches hash-locked wheels and installs them into one site-packages folder.

Run by the repository rules in pypi.bzl with the base interpreter (the one with pip):
    fetch_wheel.py OUT_JSON LOCK_NAME LINE...
Each LINE is one line of LOCK_NAME. Writes {"wheels": [file names], "deps": [label names]} to
OUT_JSON, where deps are the dependencies of the installed packages that are not among them.
"""

import compileall
import glob
import json
import os
import py_compile
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
    rc, out = _pip("install", "--no-deps", "--no-index", "--no-compile", "--target", "site-packages", *files)
    if rc != 0:
        sys.exit(f"installing {', '.join(files)} failed:\n{_tail(out)}")
    _same_in_any_folder("site-packages")

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


def _same_in_any_folder(site):
    """Makes the installed files independent of where they were installed, so that the files (and
    the tests that use them) have the same digests in every output base: remote cache keys.

    pip names this folder in direct_url.json (the wheel's path), in console scripts (their
    interpreter's path) and in the RECORD lines of both, and its byte code holds the path and
    time of compilation; byte code compiled here holds neither."""
    dropped = set(glob.glob(f"{site}/*.dist-info/direct_url.json"))
    for script in glob.glob(f"{site}/bin/*"):
        # Console scripts only: a package may ship a program there (ruff finds its own in bin/).
        with open(script, "rb") as f:
            if f.read(2) == b"#!":
                dropped.add(script)
    for path in dropped:
        os.remove(path)
    for record in glob.glob(f"{site}/*.dist-info/RECORD"):
        # RECORD paths are relative to site-packages (scripts: "../../bin/NAME").
        names = {os.path.relpath(p, site) for p in dropped} | {
            "../../bin/" + os.path.basename(p) for p in dropped if os.path.dirname(p) == f"{site}/bin"
        }
        with open(record, encoding="utf-8") as f:
            lines = f.read().splitlines()
        with open(record, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in lines if line.rsplit(",", 2)[0] not in names)
    # Checked-hash byte code holds the source's hash instead of its time, and ddir a relative path
    # instead of this folder's (Python puts the real path in code objects when it imports them).
    # As with pip's own byte-compiling, a file that does not compile (a template, say) stays source.
    compileall.compile_dir(
        site, ddir=site, quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
