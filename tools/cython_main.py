"""Cython's command line (`cython SRC -o OUT`), for tools/cython.bzl's build actions."""

import sys

from Cython.Compiler.Main import setuptools_main

sys.exit(setuptools_main())
