r"""Pytest plugin of mutation runs: a mutant is judged as the implementation its code belongs to.

mutmut runs one pytest command for every mutant (``pytest_add_cli_args`` of
``[tool.mutmut]``: ``--impl=reference``). A mutant of :mod:`inox.fast` changes code that
only the fast implementation runs, so under that command it would survive untested. In a
mutant's process (mutmut names the mutant in ``MUTANT_UNDER_TEST``), this plugin makes
the suite test the implementation of the mutated module instead:

    >>> implementation_of('inox.fast.walk.x__walk__mutmut_3')
    'fast'
    >>> implementation_of('inox.tree.walk.x_fold__mutmut_1') is None  # the command's own
    True
"""

import os

import pytest

#: The module prefix of a mutant's name -> the suite's ``--impl`` that runs its code.
IMPLEMENTATIONS = {'inox.fast.': 'fast'}


def implementation_of(mutant: str) -> str | None:
    r"""The ``--impl`` that runs the code of ``mutant``, or ``None`` for the command's own."""

    return next((impl for prefix, impl in IMPLEMENTATIONS.items() if mutant.startswith(prefix)), None)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    impl = implementation_of(os.environ.get('MUTANT_UNDER_TEST', ''))
    if impl is not None:
        # The suite's `impl` fixture reads the option when a test first asks for it.
        config.option.impl = impl
