r"""Runs checks in other Python interpreters: :func:`run_fresh` in a fresh one, for what
another process, one that never built or flattened a tree, must be able to do with a
pickle (COPY-PICKLE); :func:`run_bounded` in a worker process whose memory is bounded,
for checks that a broken implementation could make grow without limit (TREE-DEPTH,
TREE-DEEP), so that it fails the property instead of exhausting the machine.

The check is a module-level function, pickled by reference with its arguments; the
child unpickles both (so it imports the implementation the way :func:`pickle.load`
would), calls it, and sends back its pickled result. The child sees the parent's
``sys.path`` and nothing else: ``-P`` and a neutral working directory keep a checkout
in the working directory from shadowing the implementation under test.

Example:
    >>> run_fresh(len, 'abc')
    3
    >>> run_bounded(len, 'abcd')
    4
"""

from __future__ import annotations

import atexit
import gc
import os
import pickle
import resource
import select
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from typing import Any

#: Seconds a child may take (it imports jax).
TIMEOUT = 600

#: Bytes of data (``RLIMIT_DATA``: the heap and private writable mappings) that a worker
#: of :func:`run_bounded` may hold, jax and the suite included (about 230 MiB): the
#: reference implementation's checks of 10,000-level trees pass within 300 MiB, not 250.
MEMORY_BOUND = 2 * 2**30


class MemoryBoundError(AssertionError):
    r"""A check of :func:`run_bounded` went past the memory bound of its worker."""


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
        python('-m', 'spec_tests.runner.fresh'),
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


def run_bounded(check: Callable, *args: Any, bound: int = MEMORY_BOUND) -> Any:
    r"""Calls ``check(*args)`` in a worker process that may hold at most ``bound`` bytes
    of data, and returns its result or raises its exception. The worker stays for later
    calls with the same bound, and is replaced after one that went past it.

    Raises:
        MemoryBoundError: If the check went past the bound: a :class:`MemoryError` in
            the worker, or its death with the error output of a failed allocation.
        AssertionError: If the worker died otherwise, or the call took more than
            :data:`TIMEOUT` seconds.
    """

    with _LOCK:
        worker = _WORKERS.get(bound)
        if worker is None or worker.process.poll() is not None:
            if worker is not None:
                worker.close()
            worker = _WORKERS[bound] = _Worker(bound)
        return worker.call(check, args)


def _size(count: int) -> str:
    return f'{count / 2**30:g} GiB' if count >= 2**30 else f'{count / 2**20:g} MiB'


def _origin(error: BaseException) -> str:
    r"""Where ``error`` was raised: the last frames of its traceback, innermost last."""

    frames = traceback.extract_tb(error.__traceback__)[-3:]
    return '; '.join(f'{os.path.basename(f.filename)}:{f.lineno} {f.name}' for f in frames) or 'an unknown place'


class _Worker:
    r"""A child interpreter that serves calls until its input closes (see :func:`_serve`)."""

    def __init__(self, bound: int):
        self.bound = bound
        self.errors = tempfile.TemporaryFile()  # a file, not a pipe: the child never blocks on it
        self.process = subprocess.Popen(
            python('-m', 'spec_tests.runner.fresh', '--serve', str(bound)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env=child_env(),
            cwd=tempfile.gettempdir(),
        )

    def call(self, check: Callable, args: tuple) -> Any:
        name = f'{check.__module__}.{check.__qualname__}'
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None  # both are pipes, by construction
        try:
            pickle.dump((check, args), stdin)
            stdin.flush()
        except BrokenPipeError:
            raise self._died(name) from None
        ready, _, _ = select.select([stdout], [], [], TIMEOUT)
        if not ready:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f'{name} took more than {TIMEOUT} s in a worker process')
        try:
            reply = pickle.load(stdout)
        except (EOFError, pickle.UnpicklingError):
            raise self._died(name) from None
        kind, payload, origin = reply
        if kind == 'value':
            return payload
        if kind == 'error':
            payload.add_note(f'(raised in a worker process, at {origin})')
            raise payload
        self.process.wait()  # after a MemoryError, the worker exits
        raise self._past_bound(name, f'MemoryError at {origin}')

    def _past_bound(self, name: str, what: str) -> MemoryBoundError:
        return MemoryBoundError(
            f'{name} went past the memory bound of {_size(self.bound)} of data (RLIMIT_DATA of its worker '
            f'process, jax included): {what}'
        )

    def _died(self, name: str) -> AssertionError:
        status = self.process.wait()
        self.errors.seek(0)
        lines = self.errors.read().decode(errors='replace').strip().splitlines()[-30:]
        how = f'signal {-status}' if status < 0 else f'exit status {status}'
        text = '\n'.join(lines)
        # What C++ code (XLA) says when an allocation, or a thread's stack, is refused.
        if any(mark in text for mark in ('MemoryError', 'bad_alloc', 'RESOURCE_EXHAUSTED', 'pthread_create')):
            return self._past_bound(name, f'the worker died ({how})\n{text}')
        return AssertionError(f'{name}: its worker process died ({how})\n{text}')

    def close(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()


_LOCK = threading.Lock()
_WORKERS: dict[int, _Worker] = {}


@atexit.register
def _close_workers() -> None:
    for worker in _WORKERS.values():
        worker.close()


def _serve(bound: int) -> None:
    r"""The worker of :func:`run_bounded`: bounds its own data, then answers each pickled
    ``(check, args)`` of its input with ``('value', result)``, or with ``('memory',
    origin)`` before it exits after a :class:`MemoryError`; any other exception goes back
    as raised (as an :class:`AssertionError` naming it, if it does not pickle)."""

    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (bound if hard == resource.RLIM_INFINITY else min(bound, hard), hard))
    replies = os.fdopen(os.dup(sys.stdout.fileno()), 'wb')
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what a check prints must not garble the replies
    from .harness import in_thread

    while True:
        try:
            check, args = pickle.load(sys.stdin.buffer)
        except EOFError:
            return
        try:
            reply = ('value', in_thread(check, *args), '')
        except MemoryError as error:
            reply = ('memory', None, _origin(error))
        except BaseException as error:
            reply = ('error', error, _origin(error))
            error.__traceback__ = None
        gc.collect()  # an error's traceback holds the frames, and their objects, in a cycle
        try:
            blob = pickle.dumps(reply)
            pickle.loads(blob)  # some exceptions pickle but do not unpickle
        except Exception as failure:
            kind, value, origin = reply
            text = f'{type(value).__name__}: {value}' if kind == 'error' else f'its result does not pickle: {failure}'
            blob = pickle.dumps(('error', AssertionError(text), origin))
        replies.write(blob)
        replies.flush()
        if reply[0] == 'memory':
            return


def _main() -> None:
    if sys.argv[1:2] == ['--serve']:
        _serve(int(sys.argv[2]))
        return
    check, args = pickle.load(sys.stdin.buffer)
    result = check(*args)
    sys.stdout.buffer.write(pickle.dumps(result))


if __name__ == '__main__':
    _main()
