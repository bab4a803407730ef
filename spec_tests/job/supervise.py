r"""Runs one implementation's suite so that a hang or a crash costs one test, not the run.

The plugin appends each finished test's result to a file of JSON lines and announces
each test as it starts. When the process dies by a signal, exits without a report, or
runs one test past the per-test limit (:mod:`.process` kills its group), that test is
marked failed, with why (``fault``: ``crash`` or ``timeout``), the example it was trying
(the plugin writes each example to a file before running it: the file outlives the
process) and the Python traceback that faulthandler printed, and the remaining tests
resume in a fresh process that leaves out those done or failed. The results of all runs make one report.

This is a resume loop of the job's own rather than pytest-xdist's recovery of crashed
workers: xdist is no dependency of the suite, it runs tests in its own workers (the
suite already runs one process per implementation), and it does not bound a hang.

Example:
    >>> crash_message(-6, 't.py::f')
    'the process died with SIGABRT (signal 6) while running t.py::f'
    >>> crash_message(3, None)
    'the process exited with status 3 without a report'
"""

import json
import os
import re
import signal
import time
from collections.abc import Callable
from typing import Any

from .process import Ended, Limits, watch

# The first line of what faulthandler prints: on a fatal signal, or asked by SIGUSR1.
_TRACEBACK = re.compile(r'^(Fatal Python error|Current thread|Thread 0x)')
_TRACEBACK_LINES = 40


def crash_message(status: int, running: str | None) -> str:
    r"""Why a run that ended with ``status`` and wrote no report ended."""

    if status < 0:
        try:
            how = f'died with {signal.Signals(-status).name} (signal {-status})'
        except ValueError:  # a real-time signal has no name
            how = f'died with signal {-status}'
    else:
        how = f'exited with status {status}'
    return f'the process {how} while running {running}' if running else f'the process {how} without a report'


def supervise(
    name: str,
    command: list[str],
    paths: dict[str, str],
    limits: Limits,
    header: dict[str, Any],
    env: dict[str, str] | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    r"""Runs ``command`` (a worker's, without ``--results`` and ``--exclude``) until every
    test has a result or ``limits.timeout`` has passed; returns the report of all runs.

    ``paths`` names the files: ``report`` (the worker's JSON report), ``results`` (its
    JSON lines), ``trying`` (the example it runs), ``exclude`` and ``log``; ``header``
    what the report says of the adapter (name, version, features) when no run wrote one."""

    started = time.monotonic()
    deadline = started + limits.timeout
    for key in ('report', 'results', 'trying'):
        if os.path.exists(paths[key]):
            os.remove(paths[key])
    faults: dict[str, dict[str, Any]] = {}
    crash = ''
    with open(paths['log'], 'w') as log:
        while True:
            with open(paths['exclude'], 'w') as f:
                f.write('\n'.join(list(_results(paths['results'])) + list(faults)))
            if os.path.exists(paths['report']):
                os.remove(paths['report'])
            argv = _with_files(command, paths)
            echo(f'[{name}] starting: {" ".join(argv)}')
            log.write(f'$ {" ".join(argv)}\n')
            ended = watch(argv, limits, deadline, env, log, lambda line: echo(f'[{name}] {line}'))
            if not ended.killed and os.path.exists(paths['report']):
                break
            if ended.running is None or ended.killed == 'timeout':
                crash = _run_fault(ended, limits, paths['log'])
                if ended.running:
                    faults[ended.running] = _fault(ended, limits, _trying(paths['trying'], ended.running))
                break
            faults[ended.running] = _fault(ended, limits, _trying(paths['trying'], ended.running))
            echo(f'[{name}] {faults[ended.running]["failures"][0]["message"].splitlines()[0]}; resuming')
    results = list((_results(paths['results']) | faults).values())  # a crash in teardown: the fault wins
    report = _report(header, paths['report'], results, crash)
    report['seconds'] = round(time.monotonic() - started, 2)  # of all runs
    return report


def _with_files(command: list[str], paths: dict[str, str]) -> list[str]:
    r"""``command`` with the worker's ``--results`` and ``--exclude``, before ``--`` (after
    which come pytest's arguments).

    Example:
        >>> _with_files(['w', '--', '-k', 'x'], {'results': 'r', 'trying': 't', 'exclude': 'e'})
        ['w', '--results', 'r', '--trying', 't', '--exclude', 'e', '--', '-k', 'x']
    """

    cut = command.index('--') if '--' in command else len(command)
    files = ['--results', paths['results'], '--trying', paths['trying'], '--exclude', paths['exclude']]
    return command[:cut] + files + command[cut:]


def _trying(path: str, test: str) -> dict[str, Any]:
    r"""The example that ``test`` was trying when its process ended, as the report keeps a
    counterexample; empty if the file names no example of that test (it had drawn none
    yet, or it takes none).

    Example:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        ...     _ = f.write('{"test": "t.py::f", "counterexample": {"x": {"repr": "3"}}}')
        >>> _trying(f.name, 't.py::f'), _trying(f.name, 't.py::g')
        ({'x': {'repr': '3'}}, {})
        >>> os.remove(f.name)
    """

    try:
        with open(path) as f:
            trying = json.load(f)
    except (OSError, ValueError):  # none written, or cut by the kill
        return {}
    return trying['counterexample'] if trying.get('test') == test else {}


def _fault(ended: Ended, limits: Limits, example: dict[str, Any]) -> dict[str, Any]:
    r"""The result of the test that was running when the run ended: failed, with why, the
    example it was trying (the failure's counterexample) and the traceback faulthandler
    printed, if any."""

    assert ended.running is not None  # only a running test has a fault
    if ended.killed == 'test-timeout':
        fault, message = 'timeout', f'timed out after {limits.test_timeout:g} s (--test-timeout) in {ended.running}'
    elif ended.killed == 'timeout':
        fault, message = 'timeout', f'the run timed out after {limits.timeout:g} s (--timeout) in {ended.running}'
    else:
        fault, message = 'crash', crash_message(ended.status, ended.running)
    if ended.killed and ended.data is not None and ended.data >= 0.9 * limits.memory:
        message += f', holding {_gib(ended.data)} of data, at its --memory-limit of {_gib(limits.memory)}'
    if example:
        message += ', trying the example shown as its counterexample'
    traceback = _traceback(ended.output)
    return {
        'test': ended.running,
        'spec': ended.spec,
        'outcome': 'failed',
        'fault': fault,
        'duration': 0.0,
        'failures': [{'message': message + (f'\n{traceback}' if traceback else ''), 'counterexample': example}],
    }


def _gib(size: int) -> str:
    r"""A size in GiB, as the memory limit is given.

    Example:
        >>> _gib(2**31), _gib(3 * 2**29)
        ('2 GiB', '1.5 GiB')
    """

    return f'{size / 2**30:.3g} GiB'


def _run_fault(ended: Ended, limits: Limits, log: str) -> str:
    r"""Why the run as a whole ended without a report (the column's ``crash``)."""

    if ended.killed == 'timeout':
        return f'the run timed out after {limits.timeout:g} s (--timeout); the tests not run have no verdict'
    return f'{crash_message(ended.status, ended.running)}; see {log}'


def _traceback(output: list[str]) -> str:
    r"""The part of ``output`` that faulthandler printed, cut to its first lines."""

    start = next((n for n, line in enumerate(output) if _TRACEBACK.match(line)), None)
    if start is None:
        return ''
    return ''.join(output[start : start + _TRACEBACK_LINES]).rstrip()


def _results(path: str) -> dict[str, dict[str, Any]]:
    r"""The results in the JSON lines at ``path``, by test (the last line of each wins)."""

    if not os.path.exists(path):
        return {}
    with open(path) as f:
        found = [json.loads(line) for line in f if line.strip().endswith('}')]  # a line cut by a kill is dropped
    return {r['test']: r for r in found}


def _report(header: dict[str, Any], path: str, results: list[dict[str, Any]], crash: str) -> dict[str, Any]:
    r"""The worker's report (of its last run) with the results of all runs, or one made
    of ``header`` and those results."""

    report = dict(header)
    if os.path.exists(path):
        with open(path) as f:
            report = json.load(f)
    report['results'] = results
    if crash:
        report['crash'] = crash
    return report
