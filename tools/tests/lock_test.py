"""The committed locks are complete, hash-locked and consistent with each other."""

import glob
import re

import pytest
import wheels

MAIN = "requirements/lock.txt"
OTHERS = sorted(set(glob.glob("requirements/*.txt")) - {MAIN})


def lock(path):
    with open(path) as f:
        lines = wheels.requirement_lines(f.read())
    return {name: (extras, version) for name, extras, version in map(wheels.parse_lock_line, lines)}


@pytest.mark.parametrize("path", OTHERS)
def test_other_locks_hold_only_what_the_main_lock_lacks(path):
    # Two copies of a package on one sys.path would shadow each other.
    assert not set(lock(path)) & set(lock(MAIN))


@pytest.mark.parametrize("path", [MAIN] + OTHERS)
def test_every_input_is_hash_locked(path):
    with open(path) as f:
        header = re.match(r"# Generated from (\S+) ", f.read())
    assert header, f"{path} does not say what it was generated from"
    source = header[1]
    locked = lock(path)
    with open(source) as f:
        for line in wheels.requirement_lines(f.read()):
            req = wheels.Requirement(line)
            extras, version = locked[wheels.normalize(req.name)]
            assert req.specifier.contains(version), line
            assert set(map(wheels.normalize, req.extras)) <= set(extras), line


def test_parse_lock_line():
    line = "Etils[epy,epath]==1.15.0 --hash=sha256:" + "0" * 64
    assert wheels.parse_lock_line(line) == ("etils", ["epath", "epy"], "1.15.0")
    with pytest.raises(ValueError):
        wheels.parse_lock_line("jax==0.12.0.1")


def test_label_names_follow_rules_python():
    assert wheels.label_name("PyYAML") == "pyyaml"
    assert wheels.label_name("jax-cuda13_plugin") == "jax_cuda13_plugin"
    assert wheels.label_name("zope.interface") == "zope_interface"


def test_extras_only_requirements_follow_requested_extras():
    requires = [
        "fsspec ; extra == 'epath'",
        "etils[epy] ; extra == 'epath'",
        "typing_extensions ; extra == 'epy'",
        "gcsfs ; extra == 'epath-gcs'",
        "pywin32 ; sys_platform == 'win32'",
        "numpy",
    ]

    def names(extras):
        return sorted(r.name for r in wheels.active_requirements("etils", extras, requires))

    assert names([]) == ["numpy"]
    assert names(["epath"]) == ["fsspec", "numpy", "typing_extensions"]
