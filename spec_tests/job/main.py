r"""The conformance job: ``bazel run //spec_tests:conformance -- [--impl NAME]...
[--profile ci|extended|thorough] [--out DIR] [--expected FILE]``, or ``python -m spec_tests.job``.

Runs the suite's conformance tests (``-m spec``) against each implementation in a
process of its own (they may all be named ``inox``), shows their progress, prints the
conformance matrix (the verdict of each level, then each SPEC id) with the shrunk
counterexample of every failure, and writes it as ``conformance.json``,
``conformance.html`` (counterexamples drawn as graphs) and ``conformance.xml`` (JUnit)
into the output folder, with each implementation's own JSON report and log.

Every ``--impl`` is loaded first (the worker's ``--check``), so a misspelt one is a
usage error before any suite runs. Each suite then runs under a watchdog of the job's
(:mod:`spec_tests.job.supervise`): a test that crashes its process or runs past
``--test-timeout`` fails alone and the others resume in a fresh process; ``--timeout``
ends the whole run, silent or not. The reports are written in every case.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from typing import Any

from spec_tests.adapters import IMPLEMENTATIONS
from spec_tests.job import expected as expectations
from spec_tests.job import junit, page
from spec_tests.job import matrix as matrices
from spec_tests.job.process import Limits
from spec_tests.job.supervise import supervise
from spec_tests.runner.profiles import PROFILES

_EXIT_CODES = '''exit status:
  0  every implementation passes the core and each feature it claims, except for
     failures listed in the expected results
  1  an implementation fails a rule of the core or of a feature it claims that is not
     listed (a test that crashed its process or timed out fails its rule); or an
     expected failure is stale (the rule passes, or its feature is not claimed); or a
     run reached --timeout, or crashed outside any test
  2  bad arguments: an --impl that cannot be imported or has no ADAPTER (checked before
     any suite runs), or an unreadable expected-results file
Features an implementation does not claim are shown in the matrix but never gate.'''


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m spec_tests.job',
        description='Conformance matrix of weight-sharing implementations against SPEC.md; gates CI.',
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--impl',
        action='append',
        metavar='NAME',
        help='an implementation to run: a short name, or the module path of an adapter '
        '(my.module, whose ADAPTER is used, or my.module:ATTRIBUTE); repeatable; '
        f'default: all of {", ".join(IMPLEMENTATIONS)}',
    )
    parser.add_argument('--profile', choices=PROFILES, default='ci', help='hypothesis profile (default ci)')
    parser.add_argument('--out', metavar='DIR', help='output folder (default: ./conformance-report)')
    parser.add_argument(
        '--suite',
        action='append',
        default=[],
        metavar='NAME=EXECUTABLE',
        help='the program that runs the suite for NAME (set by Bazel); otherwise '
        '`python -m spec_tests.job.worker` in this environment',
    )
    parser.add_argument(
        '--timeout',
        type=float,
        default=3600,
        help='seconds allowed to each implementation, kept by the job whether or not the run prints anything; '
        'its process group is then killed and the report is partial (default 3600)',
    )
    parser.add_argument(
        '--test-timeout',
        type=float,
        metavar='SECONDS',
        help='seconds allowed to one test: past them its process group is killed (a hang in native code too), '
        'the test fails "timed out", and the others resume in a fresh process. A watchdog of the job, not '
        'pytest-timeout (no dependency, and it holds where signals do not). Default: '
        + ', '.join(f'{p} {s:g} s' for p, s in _TEST_TIMEOUTS.items())
        + f' ({_SLOWEST_CI:g} s for the slowest property under ci, with a wide margin)',
    )
    parser.add_argument(
        '--memory-limit',
        type=_size,
        default=_size('8GiB'),
        metavar='SIZE',
        help='data each run may hold (RLIMIT_DATA, set before exec: jax and the suite included), e.g. 8GiB or '
        '512MiB; beyond it the implementation gets a MemoryError in the test that allocates, not the OOM '
        'killer (default 8GiB)',
    )
    parser.add_argument(
        '-k',
        dest='select',
        metavar='EXPRESSION',
        help='run only the tests that match this pytest -k expression (to try a few rules)',
    )
    parser.add_argument(
        '--expected',
        metavar='FILE',
        default='',
        help='JSON file of the failures each implementation is known to have (see '
        'spec_tests/expected/released.json): listed failures do not fail the job, and a listed '
        'rule that no longer fails does; empty (the default): none',
    )
    return parser.parse_args(argv)


# Measured on the reference (2 shared cores): the slowest property under ci takes this
# many seconds. The per-test default leaves a wide margin for slower machines and
# implementations; the longer profiles run up to 10 and 100 times more examples.
_SLOWEST_CI = 7.1
_TEST_TIMEOUTS = {'ci': 300.0, 'mutation': 300.0, 'extended': 3000.0, 'thorough': 30000.0}
_UNITS = {'': 1, 'K': 2**10, 'M': 2**20, 'G': 2**30, 'T': 2**40}


def _size(text: str) -> int:
    r"""Bytes of a size such as ``8GiB``, ``512M`` or ``1000000``.

    Example:
        >>> _size('8GiB'), _size('512M'), _size('100')
        (8589934592, 536870912, 100)
    """

    found = re.fullmatch(r'\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*', text, re.IGNORECASE)
    if found is None:
        raise argparse.ArgumentTypeError(f'not a size: {text!r} (examples: 8GiB, 512MiB)')
    return int(float(found[1]) * _UNITS[found[2].upper()])


def _out_dir(option: str | None) -> str:
    base = os.environ.get('BUILD_WORKING_DIRECTORY') or os.getcwd()  # `bazel run` runs elsewhere
    return os.path.abspath(os.path.join(base, option or 'conformance-report'))


def _expected(option: str) -> matrices.Expected:
    if not option:
        return {}
    if not os.path.exists(option):  # Bazel's own argument is relative to the runfiles, a user's to their folder
        option = os.path.join(os.environ.get('BUILD_WORKING_DIRECTORY') or os.getcwd(), option)
    return expectations.load(option)


def _command(name: str, suites: dict[str, str]) -> list[str]:
    if name in suites:
        return [suites[name], '--impl', name]
    return [sys.executable, '-m', 'spec_tests.job.worker', '--impl', name]


class UsageError(Exception):
    r"""An ``--impl`` that cannot be loaded: the message is the one line to show."""


def _check(name: str, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    r"""The adapter's name, version and features, loaded by the worker's ``--check``.

    Raises:
        UsageError: If the worker cannot load it.
    """

    try:
        done = subprocess.run(command + ['--check'], capture_output=True, text=True, env=env, timeout=300)
    except subprocess.TimeoutExpired as error:
        raise UsageError(f'--impl {name}: loading its adapter took over {error.timeout:g} s') from error
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f'exit status {done.returncode}'])[-1]
        # The worker's own line names the module; any other is the worker failing to start.
        raise UsageError(last if last.startswith('cannot load') else f'cannot check --impl {name}: {last}')
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    r"""Runs the job; returns its exit status (see ``--help``)."""

    options = _arguments(sys.argv[1:] if argv is None else argv)
    try:
        expected = _expected(options.expected)
    except expectations.ExpectedResultsError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    suites = dict(item.split('=', 1) for item in options.suite)
    suites = {name: os.path.abspath(path) for name, path in suites.items()}
    names = options.impl or list(IMPLEMENTATIONS)
    out = _out_dir(options.out)
    for folder in ('reports', 'logs'):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'} if suites else dict(os.environ)
    env['PYTHONUNBUFFERED'] = '1'  # the log and the progress lines as they come

    try:
        headers = {name: _check(name, _command(name, suites), env) for name in names}
    except UsageError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    test_timeout = options.test_timeout or _TEST_TIMEOUTS[options.profile]
    limits = Limits(timeout=options.timeout, test_timeout=test_timeout, memory=options.memory_limit)
    reports = []
    for name in names:
        paths = {
            'report': os.path.join(out, 'reports', f'{name}.json'),
            'results': os.path.join(out, 'reports', f'{name}.results.jsonl'),
            'exclude': os.path.join(out, 'reports', f'{name}.exclude'),
            'trying': os.path.join(out, 'reports', f'{name}.trying.json'),
            'log': os.path.join(out, 'logs', f'{name}.log'),
        }
        command = _command(name, suites) + ['--report', paths['report'], '--profile', options.profile]
        command += ['--', '-k', options.select] if options.select else []
        report = supervise(name, command, paths, limits, headers[name], env, lambda line: print(line, flush=True))
        print(f'[{name}] done in {report["seconds"]:.0f} s', flush=True)
        reports.append(report)

    matrix = matrices.build(reports, expected)
    print()
    print(matrices.render(matrix))
    with open(os.path.join(out, 'conformance.json'), 'w') as f:
        json.dump(matrix, f, indent=1)
    with open(os.path.join(out, 'conformance.xml'), 'w') as f:
        f.write(junit.render(matrix))
    html = os.path.join(out, 'conformance.html')
    with open(html, 'w') as f:
        f.write(page.render(matrix, f'Conformance matrix ({options.profile} profile)'))
    print(f'\nwrote conformance.json, conformance.xml and conformance.html in {out}')

    failing = [c['name'] for c in matrix['columns'] if not c['ok']]
    print(f'job: FAILS ({", ".join(failing)}; see above)' if failing else 'job: ok')
    return 1 if failing else 0


if __name__ == '__main__':
    sys.exit(main())
