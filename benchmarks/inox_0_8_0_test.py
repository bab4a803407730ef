r"""Benchmarks of inox 0.8.0 from PyPI beside the floor, in a process of its own (it is
also called ``inox``).

Run it where inox 0.8.0 is installed, e.g. ``/path/to/venv/bin/pytest
benchmarks/inox_0_8_0_test.py``; elsewhere it is skipped. Bazel runs it with the
``@pypi_inox_0_8_0`` hub.
"""

import sys

from inoxbench.runner import main, require_inox

PEERS = ('floor', 'inox_0_8_0')

if __name__ == '__main__':
    sys.exit(main(__file__, sys.argv[1:]))

require_inox('0.8.0')

from inoxbench.suite import *  # noqa: E402,F401,F403  the benchmarks, parametrized by PEERS
