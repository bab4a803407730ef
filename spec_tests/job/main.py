r"""The conformance job: ``bazel run //spec_tests:conformance -- [--impl NAME]...
[--profile ci|extended|thorough] [--out DIR] [--expected FILE]``, or ``python -m spec_tests.job``.

Runs the suite's conformance tests (``-m spec``) against each implementation in a
process of its own (they may all be named ``inox``), shows their progress, prints the
conformance matrix (the verdict of each level, then each SPEC id) with the shrunk
counterexample of every failure, and writes it as ``conformance.json``,
``conformance.html`` (counterexamples drawn as graphs) and ``conformance.xml`` (JUnit)
into the output folder, with each implementation's own JSON report and log.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from spec_tests.adapters import IMPLEMENTATIONS
from spec_tests.job import expected as expectations
from spec_tests.job import junit, page
from spec_tests.job import matrix as matrices
from spec_tests.runner.profiles import PROFILES

_EXIT_CODES = '''exit status:
  0  every implementation passes the core and each feature it claims, except for
     failures listed in the expected results
  1  an implementation fails a rule of the core or of a feature it claims that is not
     listed; or an expected failure is stale (the rule passes, or its feature is not
     claimed); or a run crashed or wrote no report
  2  bad arguments, or an unreadable expected-results file
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
    parser.add_argument('--timeout', type=float, default=3600, help='seconds allowed to each implementation')
    parser.add_argument(
        '--expected',
        metavar='FILE',
        default='',
        help='JSON file of the failures each implementation is known to have (see '
        'spec_tests/expected/released.json): listed failures do not fail the job, and a listed '
        'rule that no longer fails does; empty (the default): none',
    )
    return parser.parse_args(argv)


def _out_dir(option: str | None) -> str:
    base = os.environ.get('BUILD_WORKING_DIRECTORY') or os.getcwd()  # `bazel run` runs elsewhere
    return os.path.abspath(os.path.join(base, option or 'conformance-report'))


def _expected(option: str) -> matrices.Expected:
    if not option:
        return {}
    if not os.path.exists(option):  # Bazel's own argument is relative to the runfiles, a user's to their folder
        option = os.path.join(os.environ.get('BUILD_WORKING_DIRECTORY') or os.getcwd(), option)
    return expectations.load(option)


def _command(name: str, suites: dict[str, str], report: str, profile: str) -> list[str]:
    args = ['--impl', name, '--report', report, '--profile', profile]
    if name in suites:
        return [suites[name]] + args
    return [sys.executable, '-m', 'spec_tests.job.worker'] + args


def _run(name: str, command: list[str], log_path: str, timeout: float, env: dict[str, str]) -> int:
    r"""Runs one implementation's suite, echoing its progress lines; returns its exit
    status (-1 on timeout)."""

    started = time.time()
    print(f'[{name}] starting: {" ".join(command)}', flush=True)
    with open(log_path, 'w') as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        assert process.stdout is not None  # a pipe, as asked
        for line in process.stdout:
            log.write(line)
            _, marker, progress = line.partition('[spec_tests] ')  # pytest may print dots first
            if marker:
                print(f'[{name}] {progress.rstrip()}', flush=True)
            if time.time() - started > timeout:
                process.kill()
                print(f'[{name}] killed after {timeout:.0f} s', flush=True)
                return -1
        status = process.wait()
    print(f'[{name}] done in {time.time() - started:.0f} s (exit status {status})', flush=True)
    return status


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

    reports: list[dict[str, Any]] = []
    for name in names:
        report_path = os.path.join(out, 'reports', f'{name}.json')
        log_path = os.path.join(out, 'logs', f'{name}.log')
        if os.path.exists(report_path):
            os.remove(report_path)
        status = _run(name, _command(name, suites, report_path, options.profile), log_path, options.timeout, env)
        if os.path.exists(report_path):
            with open(report_path) as f:
                reports.append(json.load(f))
        else:
            reports.append({'name': name, 'results': [], 'crash': f'no report (exit status {status}); see {log_path}'})

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
