r"""One run of a suite process under a watchdog: the process and all it starts are a
process group of their own, held to a memory limit, and killed as a whole when a
deadline passes, whether or not the process still prints anything.

The deadlines are kept by the job, not inside the process: a hang in native code that
ignores signals (or holds the GIL) cannot stop a ``SIGKILL`` sent to its group. This is
why the job uses no pytest-timeout, whose timer runs in the process it guards.

The plugin announces each test as it starts (``[spec_tests] start SPEC-IDS NODEID``); from these
lines :func:`watch` knows which test was running when the process ended, and the
per-test deadline restarts with each test.

Example:
    >>> import sys
    >>> limits = Limits(timeout=30, test_timeout=1, memory=2**31)
    >>> code = 'print("[spec_tests] start A,B t.py::f", flush=True); import time; time.sleep(60)'
    >>> ended = watch([sys.executable, '-c', code], limits, deadline=time.monotonic() + 30)
    >>> ended.killed, ended.running, ended.spec
    ('test-timeout', 't.py::f', ['A', 'B'])
"""

import os
import queue
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

#: The prefix of the lines that the plugin prints for the job.
MARKER = '[spec_tests] '

# Seconds between asking the process for its Python traceback (SIGUSR1, which the
# worker hands to faulthandler) and killing its group.
_GRACE = 2.0


@dataclass(frozen=True)
class Limits:
    r"""What one implementation's run may take: ``timeout`` seconds in all,
    ``test_timeout`` seconds per test, ``memory`` bytes of data (``RLIMIT_DATA``)."""

    timeout: float
    test_timeout: float
    memory: int


@dataclass
class Ended:
    r"""How a run ended: its exit status (negative: the signal that ended it), which
    limit the job killed it for (``'timeout'``, ``'test-timeout'``, or empty), the test
    that was running then (None between tests) with its SPEC ids, the output since
    that test started, and, when killed, the bytes of data it held then (``VmData``, as
    ``RLIMIT_DATA`` counts them; None where unknown)."""

    status: int
    killed: str = ''
    running: str | None = None
    spec: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    data: int | None = None


def watch(
    command: list[str],
    limits: Limits,
    deadline: float,
    env: dict[str, str] | None = None,
    log: TextIO | None = None,
    echo: Callable[[str], None] = lambda line: None,
) -> Ended:
    r"""Runs ``command`` until it ends or a deadline passes: ``deadline`` (a
    :func:`time.monotonic` time) for the whole run, ``limits.test_timeout`` for each test.
    Writes its output to ``log`` and passes each progress line but the starts to ``echo``."""

    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own group: killing it reaches what it started
        preexec_fn=lambda: _limit_memory(limits.memory),
    )
    lines = _reader(process)
    ended = Ended(status=0)
    test_deadline = float('inf')
    while True:
        now = time.monotonic()
        if now >= min(deadline, test_deadline):
            ended.killed = 'timeout' if now >= deadline else 'test-timeout'
            _kill(process, lines, ended, log)
            break
        try:
            line = lines.get(timeout=min(deadline, test_deadline) - now)
        except queue.Empty:
            continue
        if line is None:
            break
        if _take(line, ended, log, echo):
            test_deadline = time.monotonic() + limits.test_timeout
        elif not ended.running:
            test_deadline = float('inf')
    ended.status = process.wait()
    return ended


def _take(line: str, ended: Ended, log: TextIO | None, echo: Callable[[str], None]) -> bool:
    r"""Follows one line of output: which test runs, and the output since it started;
    whether the line starts a test."""

    if log is not None:
        log.write(line)
    _, marker, progress = line.partition(MARKER)  # pytest may print dots first
    progress = progress.rstrip()
    if marker and progress.startswith('start '):
        spec, _, ended.running = progress.removeprefix('start ').partition(' ')
        ended.spec, ended.output = [s for s in spec.split(',') if s != '-'], []
        return True
    ended.output.append(line)
    if marker:
        ended.running = None  # the plugin reports a test when it has finished
        echo(progress)
    return False


def _reader(process: subprocess.Popen) -> 'queue.Queue[str | None]':
    r"""The lines of the process's output as they come, then None; read in a thread so
    that the deadlines hold while the process is silent."""

    lines: queue.Queue[str | None] = queue.Queue()
    assert process.stdout is not None  # a pipe, as asked

    def read() -> None:
        for line in process.stdout:  # pyright: ignore  (checked above)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _kill(process: subprocess.Popen, lines: 'queue.Queue[str | None]', ended: Ended, log: TextIO | None) -> None:
    r"""Asks the process for its traceback, then kills its whole group, keeping what it
    printed meanwhile."""

    running = ended.running
    ended.data = _data_bytes(process.pid)
    _signal_group(process, signal.SIGUSR1)
    stop = time.monotonic() + _GRACE
    while time.monotonic() < stop:
        try:
            line = lines.get(timeout=max(stop - time.monotonic(), 0.01))
        except queue.Empty:
            break
        if line is None:
            break
        _take(line, ended, log, lambda progress: None)
    _signal_group(process, signal.SIGKILL)
    process.wait()
    ended.running = running


def _data_bytes(pid: int) -> int | None:
    r"""The data segment of process ``pid`` in bytes (``VmData`` of ``/proc``), or None
    off Linux or once it has gone.

    Example:
        >>> _data_bytes(os.getpid()) > 0
        True
    """

    try:
        with open(f'/proc/{pid}/status') as f:
            found = [line.split()[1] for line in f if line.startswith('VmData:')]
    except OSError:
        return None
    return int(found[0]) * 1024 if found else None


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:  # the group has already gone
        pass


def _limit_memory(limit: int) -> None:
    r"""In the child, before exec: at most ``limit`` bytes of data, so that an
    implementation that allocates without bound gets a MemoryError, not the OOM killer."""

    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
