r"""Runs a check in a fresh Python interpreter: what another process, one that never
built or flattened a tree, must be able to do with a pickle (COPY-PICKLE).

The check is a module-level function, pickled by reference with its arguments; the
child unpickles both (so it imports the implementation the way :func:`pickle.load`
would), calls it, and sends back its pickled result. The child sees the parent's
``sys.path`` and nothing else: ``-P`` and a neutral working directory keep a checkout
in the working directory from shadowing the implementation under test.

Example:
    >>> run_fresh(len, 'abc')
    3
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

#: Seconds a child may take (it imports jax).
TIMEOUT = 600


def child_env() -> dict[str, str]:
    r"""The environment of a child interpreter: this one's, with ``sys.path`` as
    ``PYTHONPATH``."""

    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in sys.path if p)
    return env


def python(*arguments: str) -> list[str]:
    r"""The command line of a child interpreter: ``-P``, then ``arguments``."""

    return [sys.executable, '-P', *arguments]


def run_fresh(check: Callable, *args: Any) -> Any:
    r"""Calls ``check(*args)`` in a new interpreter and returns its result.

    Raises:
        AssertionError: If the child failed; the message ends with its error output.
    """

    run = subprocess.run(
        python('-m', 'spec_tests.fresh'),
        input=pickle.dumps((check, args)),
        capture_output=True,
        env=child_env(),
        timeout=TIMEOUT,
        cwd=tempfile.gettempdir(),
    )
    if run.returncode != 0:
        error = run.stderr.decode(errors='replace').strip().splitlines()
        last = error[-1] if error else 'no output'
        raise AssertionError(f'in a fresh interpreter, {last}\n' + '\n'.join(error[-30:]))
    return pickle.loads(run.stdout)


def _main() -> None:
    check, args = pickle.load(sys.stdin.buffer)
    result = check(*args)
    sys.stdout.buffer.write(pickle.dumps(result))


if __name__ == '__main__':
    _main()
