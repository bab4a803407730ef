r"""Benchmarks of this checkout's inox (plain Module and Scope) beside the floor, a
bare Python walk of the Scope, Equinox and Flax NNX, in one process.

From the repository root: ``pytest benchmarks/current_test.py`` (add
``--benchmark-json=FILE`` to keep the results), or ``./bazelw run //benchmarks:track``
to run every process and compare with the baseline.
"""

import sys

from inoxbench.runner import main, require_inox

PEERS = ('floor', 'module', 'scope', 'bare_walk', 'equinox', 'nnx')

if __name__ == '__main__':
    sys.exit(main(__file__, sys.argv[1:]))

require_inox('checkout')

from inoxbench.suite import *  # noqa: E402,F401,F403  the benchmarks, parametrized by PEERS
