"""Compiles inox/fast/walk.py into an extension module for the wheel, as tools/cython.bzl does
under Bazel: Cython translates it to C and setuptools' build_ext compiles that with the
interpreter's compiler and headers, in a temporary folder, so that nothing is written into the
checkout. The wheel holds both the source and the extension module; Python imports the latter.
"""

import os
import tempfile

# hatchling and setuptools are in pip's isolated build environment only (pyproject.toml's
# build-system and hook dependencies), not among the locked packages that //:lint sees.
from Cython.Build import cythonize
from hatchling.builders.hooks.plugin.interface import BuildHookInterface  # pyright: ignore[reportMissingImports]
from setuptools import Distribution, Extension  # pyright: ignore[reportMissingModuleSource]

_MODULE = "inox.fast.walk"
_SOURCE = os.path.join("..", "..", "inox", "fast", "walk.py")


class CompileFastWalk(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        self._folder = tempfile.TemporaryDirectory()
        source = os.path.join(self.root, _SOURCE)
        extension = Extension(_MODULE, [source], extra_compile_args=["-fno-strict-aliasing"])
        modules = cythonize([extension], build_dir=self._folder.name, language_level=3, quiet=True)
        build = Distribution({"ext_modules": modules}).get_command_obj("build_ext")
        build.build_lib = os.path.join(self._folder.name, "lib")
        build.build_temp = os.path.join(self._folder.name, "temp")
        build.ensure_finalized()
        build.run()
        built = build.get_ext_fullpath(_MODULE)
        build_data["force_include"][built] = os.path.relpath(built, build.build_lib)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version, build_data, artifact_path):
        if self.target_name == "wheel":
            self._folder.cleanup()
