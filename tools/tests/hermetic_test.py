"""The test interpreter is the venv's CPython of the pinned version, and sees only declared deps."""

import importlib
import os
import re
import sys
import unittest


def pinned_version():
    with open("tools/python_version.bzl") as f:
        match = re.search(r'PYTHON_VERSION = "(\d+)\.(\d+)"', f.read())
    assert match, "tools/python_version.bzl sets no PYTHON_VERSION"
    return match.groups()


class HermeticTest(unittest.TestCase):
    def test_interpreter_is_the_venv_in_the_external_repository(self):
        # The repository is `python` under WORKSPACE and `_main~inox_deps~python` under bzlmod.
        self.assertRegex(sys.executable, r"[/~+]python/venv/bin/python3$")
        self.assertNotEqual(sys.prefix, sys.base_prefix)
        self.assertEqual(os.path.dirname(os.path.dirname(sys.executable)), sys.prefix)

    def test_version_is_pinned_one(self):
        self.assertEqual(sys.version_info[:2], tuple(int(p) for p in pinned_version()))
        self.assertEqual(sys.implementation.name, "cpython")

    def test_undeclared_packages_cannot_be_imported(self):
        # pip sits in the base interpreter's site-packages; the others are locked but not deps.
        for name in ["pip", "hypothesis", "pytest", "jax", "numpy"]:
            with self.subTest(name=name), self.assertRaises(ImportError):
                importlib.import_module(name)

    def test_no_site_packages_outside_the_runfiles(self):
        outside = [p for p in sys.path if "site-packages" in p and ".runfiles" not in p]
        # The venv's own site-packages is empty (created without pip).
        self.assertEqual([p for p in outside if not p.startswith(sys.prefix)], [])


if __name__ == "__main__":
    unittest.main()
