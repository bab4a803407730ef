r"""Regression tracking: ratios to the in-run floor, compared with a baseline.

A tracked metric is a benchmark of this checkout's inox (peers :data:`TRACKED_PEERS`)
divided by the floor's benchmark of the same operation and shape, measured in the
same process: a faster or slower machine scales both alike. Memory metrics divide
the peak memory of a flatten by the floor's. A metric regresses when its ratio grew
by more than the threshold, as decided by pytest-benchmark's own
:class:`~pytest_benchmark.utils.PercentageRegressionCheck`.

On a busy two-core machine a few of some 250 ratios move by more than 15% between
two runs of the same code, so a regression is confirmed by measuring its benchmarks
again (:func:`rerun_names`) and judging the better of the two measurements
(:func:`confirm`): noise seldom strikes twice, a regression always does.
"""

from __future__ import annotations

__all__ = [
    'MissingBaselineError',
    'Row',
    'TRACKED_PEERS',
    'append_history',
    'compare',
    'confirm',
    'format_table',
    'load_baseline',
    'ratios',
    'read_history',
    'regressions',
    'rerun_names',
]

import json
import os

from typing import Any, Dict, List, NamedTuple, Optional

from pytest_benchmark.utils import PercentageRegressionCheck

from .results import Run

TRACKED_PEERS = ('module', 'scope')
MEMORY = 'memory'


class MissingBaselineError(FileNotFoundError):
    r"""Raised when the baseline of a machine class does not exist."""


def ratios(run: Run, stat: str = 'min') -> Dict[str, float]:
    r"""The tracked metrics of a run, by key ``op/peer/N<n>-<variant>``.

    Example:
        >>> def bench(peer, seconds, peak):
        ...     info = dict(op='flatten', peer=peer, n=10, variant='tied0', process='p',
        ...                 flatten_peak_bytes=peak)
        ...     return {'stats': {'min': seconds}, 'extra_info': info}
        >>> run = Run({'benchmarks': [bench('floor', 1e-6, 100), bench('scope', 3e-6, 250)]})
        >>> ratios(run)
        {'flatten/scope/N10-tied0': 3.0, 'memory/scope/N10-tied0': 2.5}
    """

    metrics = {}
    for op, peer, n, variant in run.keys():
        if peer not in TRACKED_PEERS:
            continue
        floor = run.floor(op, peer, n, variant)
        if floor is None:
            continue
        entry = run.entries[(op, peer, n, variant)]
        shape = f'N{n}-{variant}'
        if floor['stats'][stat] > 0:
            metrics[f'{op}/{peer}/{shape}'] = entry['stats'][stat] / floor['stats'][stat]
        peak = entry.get('extra_info', {}).get('flatten_peak_bytes')
        floor_peak = floor.get('extra_info', {}).get('flatten_peak_bytes')
        if peak is not None and floor_peak:
            metrics[f'{MEMORY}/{peer}/{shape}'] = peak / floor_peak
    return metrics


class Row(NamedTuple):
    r"""One metric compared with its baseline; ``change`` is in percent."""

    key: str
    baseline: Optional[float]
    current: Optional[float]
    change: Optional[float]
    status: str  # 'ok', 'improved', 'REGRESSED', 'noise', 'new' or 'missing'


def compare(current: Dict[str, float], baseline: Dict[str, float], threshold: float) -> List[Row]:
    r"""Compares the metrics of a run with a baseline's; ``threshold`` is in percent.

    Example:
        >>> rows = compare({'a': 1.2, 'b': 1.0, 'c': 1.0}, {'a': 1.0, 'b': 1.0, 'd': 1.0}, 15)
        >>> [(r.key, r.status) for r in rows]
        [('a', 'REGRESSED'), ('b', 'ok'), ('c', 'new'), ('d', 'missing')]
    """

    check = PercentageRegressionCheck('ratio', threshold)
    rows = []
    for key in sorted(set(current) | set(baseline)):
        now, then = current.get(key), baseline.get(key)
        if then is None:
            rows.append(Row(key, None, now, None, 'new'))
        elif now is None:
            rows.append(Row(key, then, None, None, 'missing'))
        else:
            change = check.compute({'ratio': now}, {'ratio': then})
            if check.fails({'ratio': now}, {'ratio': then}):
                status = 'REGRESSED'
            elif change < -threshold:
                status = 'improved'
            else:
                status = 'ok'
            rows.append(Row(key, then, now, change, status))
    return rows


def regressions(rows: List[Row]) -> List[Row]:
    r"""The rows that regressed."""

    return [row for row in rows if row.status == 'REGRESSED']


def rerun_names(key: str) -> List[str]:
    r"""The benchmarks to run again to measure a metric anew: the peer's and the floor's.

    Example:
        >>> rerun_names('memory/scope/N10-tied0')
        ['test_flatten[scope-N10-tied0]', 'test_flatten[floor-N10-tied0]']
    """

    op, peer, shape = key.split('/')
    op = 'flatten' if op == MEMORY else op
    return [f'test_{op}[{peer}-{shape}]', f'test_{op}[floor-{shape}]']


def confirm(rows: List[Row], again: Dict[str, float], threshold: float) -> List[Row]:
    r"""Judges each regression on the better of its first measurement and ``again``.

    A regression that the second measurement does not repeat is ``noise``.

    Example:
        >>> rows = compare({'a': 1.5, 'b': 1.5}, {'a': 1.0, 'b': 1.0}, 15)
        >>> [(r.key, r.status) for r in confirm(rows, {'a': 1.6, 'b': 1.05}, 15)]
        [('a', 'REGRESSED'), ('b', 'noise')]
    """

    judged = []
    for row in rows:
        if row.status == 'REGRESSED' and row.key in again:
            better = compare({row.key: min(row.current, again[row.key])}, {row.key: row.baseline}, threshold)[0]
            row = row if better.status == 'REGRESSED' else row._replace(status='noise')
        judged.append(row)
    return judged


def format_table(rows: List[Row]) -> str:
    r"""A plain-text table of compared metrics.

    Example:
        >>> print(format_table([Row('flatten/scope/N10-tied0', 2.0, 2.5, 25.0, 'REGRESSED')]))
        metric                   baseline  current  change  status
        flatten/scope/N10-tied0      2.00     2.50  +25.0%  REGRESSED
    """

    def number(x: Optional[float]) -> str:
        return '-' if x is None else f'{x:.2f}'

    width = max([len('metric')] + [len(row.key) for row in rows])
    lines = [f'{"metric":<{width}}  baseline  current  change  status']
    for row in rows:
        change = '-' if row.change is None else f'{row.change:+.1f}%'
        lines.append(
            f'{row.key:<{width}}  {number(row.baseline):>8}  {number(row.current):>7}  {change:>6}  {row.status}'
        )
    return '\n'.join(lines)


def load_baseline(path: str) -> Dict[str, Any]:
    r"""Reads a baseline document; a missing file is a :class:`MissingBaselineError`."""

    if not os.path.exists(path):
        raise MissingBaselineError(
            f'no baseline at {path}: record one for this machine class with --update-baseline '
            '(after checking that the run is sound), or name another with --baseline'
        )
    with open(path) as f:
        return json.load(f)


def append_history(path: str, entry: Dict[str, Any]) -> None:
    r"""Appends one run to a history file (one JSON object per line)."""

    with open(path, 'a') as f:
        f.write(json.dumps(entry, sort_keys=True) + '\n')


def read_history(path: Optional[str]) -> List[Dict[str, Any]]:
    r"""The runs of a history file, oldest first; none if there is no file."""

    if path is None or not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
