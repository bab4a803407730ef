r"""The command line of ``track.py``: its options, their defaults and what may not be
combined."""

from __future__ import annotations

__all__ = ['METRIC_THRESHOLD', 'parse']

import argparse
import os

from . import count_tracking

# Measured on the 2-core machine class: see benchmarks/README.md, "Wall time".
METRIC_THRESHOLD = 100.0


def _processes(parser: argparse.ArgumentParser) -> None:
    r"""What runs: the processes, or results already measured."""

    parser.add_argument(
        '--group',
        action='append',
        default=[],
        metavar='NAME=COMMAND',
        help='a benchmark process to run: its name and command line (repeatable)',
    )
    parser.add_argument(
        '--results',
        nargs='+',
        metavar='JSON',
        help='compare these pytest-benchmark JSON files instead of running the processes',
    )
    parser.add_argument(
        '--counts',
        action='store_true',
        help='count instructions under valgrind instead of timing, against the baseline of the software '
        'stack (benchmarks/baselines/counts/); exact to a fraction of a percent on any machine',
    )
    parser.add_argument(
        '--targets',
        action='store_true',
        help='with --counts: count the fast walk and Equinox at the sizes of their targets (N=100, 1,000 '
        'and 10,000) and report those targets on the counts, instead of judging the tracked counts',
    )
    parser.add_argument(
        '--against',
        metavar='COMMIT',
        help="instead of the baseline, measure against the inox of COMMIT in the same run (the baseline's "
        'is its inox_commit): --pairs rounds of a process of either, back to back',
    )
    parser.add_argument(
        '--pairs',
        type=int,
        default=3,
        help='how many rounds --against runs (default: 3); each process takes minutes, see README',
    )
    parser.add_argument(
        '--platform',
        choices=('cpu', 'cuda'),
        help='JAX_PLATFORMS of the processes (Bazel passes cuda under --config=cuda)',
    )


def _judging(parser: argparse.ArgumentParser) -> None:
    r"""What the run is judged against, and how."""

    parser.add_argument('--baseline', help='the baseline file (default: baselines/<machine class>.json)')
    parser.add_argument(
        '--threshold',
        type=float,
        help='how much, in percent, a family of tracked ratios (one operation of one peer, '
        f'geometric mean over shapes) may grow before the run fails (default: 15, with --counts '
        f'{count_tracking.COUNT_THRESHOLD:g})',
    )
    parser.add_argument(
        '--metric-threshold',
        type=float,
        help='how much, in percent, a single tracked ratio may grow before the run fails '
        f'(default: {METRIC_THRESHOLD:g}, with --counts {count_tracking.COUNT_METRIC_THRESHOLD:g})',
    )
    parser.add_argument(
        '--stat',
        default='min',
        choices=('min', 'median'),
        help='the statistic of each benchmark that ratios use (default: min)',
    )
    parser.add_argument(
        '--no-confirm',
        dest='confirm',
        action='store_false',
        help='fail on the first measurement instead of measuring regressions again',
    )
    parser.add_argument(
        '--update-baseline',
        action='store_true',
        help='write this run as the baseline of its machine class instead of failing on it',
    )


def _report(parser: argparse.ArgumentParser, workspace: str) -> None:
    r"""Where the report goes."""

    parser.add_argument('--history', metavar='FILE', help='append this run to a history file (JSON lines)')
    parser.add_argument(
        '--out',
        default=os.path.join(workspace, 'benchmarks', 'results'),
        help='where the merged JSON, the pictures and index.html go (default: benchmarks/results)',
    )


def parse(argv: list[str], description: str, workspace: str) -> argparse.Namespace:
    r"""The options of ``argv``; arguments after a lone ``--`` are ``pytest_args``.
    ``workspace`` is the checkout whose ``benchmarks/results`` is the default report folder."""

    parser = argparse.ArgumentParser(
        prog='track',
        description=description,
        epilog='Arguments after a lone -- go to every pytest process, e.g. -- -k "N10-".',
    )
    _processes(parser)
    _judging(parser)
    _report(parser, workspace)
    options, rest = parser.parse_known_args(argv)
    if options.against and (options.results or options.update_baseline or options.history or options.baseline):
        parser.error(
            '--against measures two commits in one run: not with --results, --baseline, --update-baseline, --history'
        )
    if options.targets and (not options.counts or options.against or options.update_baseline or options.baseline):
        parser.error('--targets counts the peers of the targets: only with --counts, and nothing to judge against')
    if options.counts and (options.results or options.history or options.platform):
        parser.error('--counts runs its own processes on the CPU: not with --results, --history, --platform')
    if options.threshold is None:
        options.threshold = count_tracking.COUNT_THRESHOLD if options.counts else 15.0
    if options.metric_threshold is None:
        options.metric_threshold = count_tracking.COUNT_METRIC_THRESHOLD if options.counts else METRIC_THRESHOLD
    if rest and rest[0] == '--':
        rest = rest[1:]
    options.pytest_args = rest
    return options
