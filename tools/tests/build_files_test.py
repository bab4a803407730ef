"""WORKSPACE (Bazel 4) and MODULE.bazel (Bazel 7+) make the same hubs from the same locks, the
files that Starlark cannot read name the inox releases of the catalogue (spec_tests/catalogue.bzl),
and .bazelrc selects the hypothesis profiles of spec_tests/runner/profiles.py."""

import ast
import glob
import json
import re
from typing import Any

HUBS_OF_MODULE = {"python", "pypi_cuda"}


def read(path):
    with open(path) as f:
        return f.read()


def bzl(path):
    # Literals, comprehensions and plain functions: Starlark and Python read them alike; a
    # load() of another file of this repository runs that file first.
    def load(label, *symbols):
        loaded = bzl(label.removeprefix("//").replace(":", "/"))
        names.update({symbol: loaded[symbol] for symbol in symbols})

    names: dict[str, Any] = {"load": load}
    exec(read(path), names)
    return names


def locks_bzl():
    return bzl("tools/locks.bzl")


def test_module_imports_every_hub_and_nothing_else():
    use_repo = re.search(r"use_repo\(\s*deps,([^)]*)\)", read("MODULE.bazel"))
    assert use_repo, "MODULE.bazel has no use_repo(deps, ...)"
    imported = set(re.findall(r'"(\w+)"', use_repo[1]))
    assert imported == set(locks_bzl()["LOCKS"].values()) | HUBS_OF_MODULE


def test_both_build_files_take_the_hubs_from_locks_bzl():
    workspace = read("WORKSPACE")
    assert re.search(r"pypi_locks\([^)]*locks = LOCKS,", workspace)
    assert re.search(r'pypi_bundle\(\s*name = "pypi_cuda",\s*lock = CUDA_LOCK,', workspace)
    assert 'use_extension("//tools:extensions.bzl", "inox_deps")' in read("MODULE.bazel")


def test_every_lock_file_has_a_hub():
    names = locks_bzl()
    labels = [*names["LOCKS"], names["CUDA_LOCK"]]
    files = {label.replace("//requirements:", "requirements/") for label in labels}
    assert files == set(glob.glob("requirements/*.txt"))


def test_no_build_file_pins_a_python_version():
    # Both make @python with python_interpreter, which reads tools/python_version.bzl; the
    # version itself is checked under each Bazel by hermetic_test.
    for path in ["WORKSPACE", "MODULE.bazel", "tools/extensions.bzl"]:
        assert not re.search(r"\b3\.\d+\b", read(path)), path


def test_each_release_of_the_catalogue_has_its_requirements_and_nothing_else():
    names = locks_bzl()
    assert names["INOX_RELEASES"] == [r["version"] for r in bzl("spec_tests/catalogue.bzl")["RELEASES"]]
    releases = {v: names["inox_release_name"](v) for v in names["INOX_RELEASES"]}
    assert set(glob.glob("requirements/inox_*.in")) == {f"requirements/{n}.in" for n in releases.values()}
    for version, name in releases.items():
        assert f"inox=={version}\n" in read(f"requirements/{name}.in")
    frameworks = bzl("spec_tests/catalogue.bzl")["FRAMEWORKS"]
    with open("spec_tests/expected/released.json") as f:
        assert set(json.load(f)) <= {f"inox-{v}" for v in releases} | {f["name"] for f in frameworks}


def test_each_framework_of_the_catalogue_is_in_the_main_lock():
    # The suite binaries of the frameworks take their packages from the hub @pypi.
    locked = {line.split("==")[0] for line in read("requirements/lock.txt").splitlines() if "==" in line}
    for framework in bzl("spec_tests/catalogue.bzl")["FRAMEWORKS"]:
        assert set(framework["packages"]) <= locked, framework


def test_bazelrc_has_a_config_per_profile_of_the_suite():
    # ci is the default; each other profile is `--config=NAME`, which sets the variable to NAME.
    profiles = spec_tests_profiles()
    configs = re.findall(r"^test:(\w+) --test_env=(\w+)=(\w+)$", read(".bazelrc"), re.M)
    selected = {(config, value) for config, variable, value in configs if variable == profiles["ENV"]}
    assert selected == {(p, p) for p in profiles["PROFILES"] if p != "ci"}


def spec_tests_profiles():
    # Its constants, without importing it (and hypothesis).
    tree = ast.parse(read("spec_tests/runner/profiles.py"))
    return {
        target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in ("ENV", "PROFILES")
    }
