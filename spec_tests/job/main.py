r"""The conformance job: ``bazel run //spec_tests:conformance -- [--impl NAME]...
[--profile ci|thorough] [--out DIR]``.

Runs the suite against each implementation in a process of its own (they are all
named ``inox``), shows their progress, prints the conformance matrix with the shrunk
counterexample of every failure, and writes it as ``conformance.json`` and
``conformance.html`` (counterexamples drawn as graphs) into the output folder, with
each implementation's own JSON report and log. It exits with 1 when the reference
implementation fails a property or an implementation's run gives no report.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from typing import Any, Dict, List, Optional

from spec_tests.adapters import IMPLEMENTATIONS
from spec_tests.job import matrix as matrices
from spec_tests.job import page


def _arguments(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Conformance matrix of the weight-sharing implementations.')
    parser.add_argument('--impl', action='append', metavar='NAME',
                        help=f'an implementation to run (repeatable; default: all of {", ".join(IMPLEMENTATIONS)})')
    parser.add_argument('--profile', choices=('ci', 'thorough'), default='ci', help='hypothesis profile (default ci)')
    parser.add_argument('--out', metavar='DIR', help='output folder (default: ./conformance-report)')
    parser.add_argument('--suite', action='append', default=[], metavar='NAME=EXECUTABLE',
                        help='the program that runs the suite for NAME (set by Bazel); otherwise '
                             '`python -m spec_tests.suite` in this environment')
    parser.add_argument('--timeout', type=float, default=3600, help='seconds allowed to each implementation')
    return parser.parse_args(argv)


def _out_dir(option: Optional[str]) -> str:
    base = os.environ.get('BUILD_WORKING_DIRECTORY') or os.getcwd()  # `bazel run` runs elsewhere
    return os.path.abspath(os.path.join(base, option or 'conformance-report'))


def _command(name: str, suites: Dict[str, str], report: str, profile: str) -> List[str]:
    args = ['--impl', name, '--report', report, '--profile', profile]
    if name in suites:
        return [suites[name]] + args
    return [sys.executable, '-m', 'spec_tests.suite'] + args


def _run(name: str, command: List[str], log_path: str, timeout: float, env: Dict[str, str]) -> int:
    r"""Runs one implementation's suite, echoing its progress lines; returns its exit
    status (-1 on timeout)."""

    started = time.time()
    print(f'[{name}] starting: {" ".join(command)}', flush=True)
    with open(log_path, 'w') as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
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


def main(argv: Optional[List[str]] = None) -> int:
    options = _arguments(sys.argv[1:] if argv is None else argv)
    suites = dict(item.split('=', 1) for item in options.suite)
    suites = {name: os.path.abspath(path) for name, path in suites.items()}
    names = options.impl or list(IMPLEMENTATIONS)
    out = _out_dir(options.out)
    for folder in ('reports', 'logs'):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'} if suites else dict(os.environ)
    env['PYTHONUNBUFFERED'] = '1'  # the log and the progress lines as they come

    reports: List[Dict[str, Any]] = []
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
            reports.append({'name': name, 'results': [],
                            'crash': f'no report (exit status {status}); see {log_path}'})

    matrix = matrices.build(reports)
    print()
    print(matrices.render(matrix))
    with open(os.path.join(out, 'conformance.json'), 'w') as f:
        json.dump(matrix, f, indent=1)
    html = os.path.join(out, 'conformance.html')
    with open(html, 'w') as f:
        f.write(page.render(matrix, f'Conformance matrix ({options.profile} profile)'))
    print(f'\nwrote {os.path.join(out, "conformance.json")} and {html}')

    reference_failed = any(row.get('reference', {}).get('status') == 'FAIL' for row in matrix['rows'].values())
    crashed = [r['name'] for r in reports if 'crash' in r]
    return 1 if reference_failed or crashed else 0


if __name__ == '__main__':
    sys.exit(main())
