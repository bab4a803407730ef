r"""Regression tracking: ratios to the in-run floor, compared with a baseline.

A tracked metric is a benchmark of this checkout's inox (peers :data:`TRACKED_PEERS`)
divided by the floor's benchmark of the same operation and shape, measured in the
same process: a faster or slower machine scales both alike. Memory metrics divide
the peak memory of a flatten by the floor's. A change is computed by pytest-benchmark's
own :class:`~pytest_benchmark.utils.PercentageRegressionCheck`, and regresses past the
threshold as in that check.

A run is judged at two levels (:func:`judge`). A *family* is one operation of one peer
(``flatten/scope``); its value is the geometric mean of its metrics over the shapes
both runs measured. A change of the code moves a whole family, while the noise of a
shared machine moves single metrics up and down: over a dozen shapes it mostly
cancels, so families get the tight threshold. A single metric fails only past a wider
one, for a change that shows at one shape alone (say, a walk that turns quadratic).
Before a run fails, what failed is measured again, and each metric counts the better
of its two measurements (a ``noise`` row is one that failed only the first time).

A change smaller than the noise between runs is measured against another commit in
the same run instead (:mod:`.paired`).

Instruction counts are judged by the same :func:`judge` (see :mod:`.count_tracking`).
"""

from __future__ import annotations

__all__ = [
    'MissingBaselineError',
    'Row',
    'TRACKED_PEERS',
    'Verdict',
    'append_history',
    'compare',
    'families',
    'floor_spread',
    'format_spread',
    'format_table',
    'judge',
    'load_baseline',
    'ratios',
    'read_history',
    'regressions',
    'rerun_names',
    'status',
    'suspects',
]

import json
import math
import os
import statistics
from collections.abc import Iterable
from typing import Any, NamedTuple

from pytest_benchmark.utils import PercentageRegressionCheck

from .results import Run

TRACKED_PEERS = ('module', 'scope')
MEMORY = 'memory'


class MissingBaselineError(FileNotFoundError):
    r"""Raised when the baseline of a machine class does not exist."""


def ratios(run: Run, stat: str = 'min') -> dict[str, float]:
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


def floor_spread(run: Run, stat: str = 'min') -> dict[str, float]:
    r"""The noise between the processes of a run, by key ``op/N<n>-<variant>``: how much,
    in percent, the slowest process's floor exceeds the fastest's. Every process times the
    floor, the same code on the same shape, so any spread is the machine's.

    Example:
        >>> def floor(process, seconds):
        ...     info = dict(op='flatten', peer='floor', n=10, variant='tied0', process=process)
        ...     return {'stats': {'min': seconds}, 'extra_info': info}
        >>> floor_spread(Run({'benchmarks': [floor('a', 1.0), floor('b', 1.25)]}))
        {'flatten/N10-tied0': 25.0}
    """

    times: dict[str, list[float]] = {}
    for (_, op, n, variant), entry in run.floors.items():
        times.setdefault(f'{op}/N{n}-{variant}', []).append(entry['stats'][stat])
    return {
        key: (max(values) / min(values) - 1) * 100
        for key, values in sorted(times.items())
        if len(values) > 1 and min(values) > 0
    }


def format_spread(spread: dict[str, float]) -> str:
    r"""One line on a :func:`floor_spread`: its median and its largest value.

    Example:
        >>> format_spread({'flatten/N10-tied0': 2.0, 'jit_call/N10-tied0': 30.0, 'partition/N10-tied0': 4.0})
        'median 4.0%, at most 30.0% (jit_call/N10-tied0), over 3 shapes'
        >>> format_spread({})
        'not measured (a single process timed the floor)'
    """

    if not spread:
        return 'not measured (a single process timed the floor)'
    worst = max(spread, key=spread.__getitem__)
    return (
        f'median {statistics.median(spread.values()):.1f}%, at most {spread[worst]:.1f}% ({worst}), '
        f'over {len(spread)} shapes'
    )


def noise_warning(run: dict[str, float], baseline: dict[str, float]) -> str | None:
    r"""A warning when a run's :func:`floor_spread` has more than twice the median of
    the baseline's: families then move by about as much whatever the code (on the
    2-core class, runs with medians of 8% and 26% put ``jit_call/module`` at +28% and
    +35%, quieter runs of the same code at -8% to +7%), so the run neither shows nor
    rules out a change of that size.

    Example:
        >>> noise_warning({'a': 3.0, 'b': 4.0}, {'a': 3.0, 'b': 3.0}) is None
        True
        >>> noise_warning({'a': 9.0, 'b': 26.0}, {'a': 3.0, 'b': 3.0})
        'this run is noisier than the baseline (floor spread median 17.5% against 3.0%)'
    """

    if not run or not baseline:
        return None
    now, then = statistics.median(run.values()), statistics.median(baseline.values())
    if now <= 2 * then:
        return None
    return f'this run is noisier than the baseline (floor spread median {now:.1f}% against {then:.1f}%)'


class Row(NamedTuple):
    r"""One metric compared with its baseline; ``change`` is in percent."""

    key: str
    baseline: float | None
    current: float | None
    change: float | None
    status: str  # 'ok', 'improved', 'REGRESSED', 'noise', 'new' or 'missing'


def compare(current: dict[str, float], baseline: dict[str, float], threshold: float) -> list[Row]:
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
            rows.append(Row(key, then, now, change, status(change, threshold)))
    return rows


def regressions(rows: list[Row]) -> list[Row]:
    r"""The rows that regressed."""

    return [row for row in rows if row.status == 'REGRESSED']


def rerun_names(key: str) -> list[str]:
    r"""The benchmarks to run again to measure a metric anew: the peer's and the floor's.

    Example:
        >>> rerun_names('memory/scope/N10-tied0')
        ['test_flatten[scope-N10-tied0]', 'test_flatten[floor-N10-tied0]']
    """

    op, peer, shape = key.split('/')
    op = 'flatten' if op == MEMORY else op
    return [f'test_{op}[{peer}-{shape}]', f'test_{op}[floor-{shape}]']


def families(metrics: dict[str, float], keys: Iterable[str] | None = None) -> dict[str, float]:
    r"""The geometric mean of each family's metrics (``op/peer``), over ``keys`` (all
    by default).

    Example:
        >>> families({'flatten/scope/N10-tied0': 2.0, 'flatten/scope/N100-tied0': 8.0})
        {'flatten/scope': 4.0}
    """

    logs: dict[str, list[float]] = {}
    for key in metrics if keys is None else keys:
        logs.setdefault(_family(key), []).append(math.log(metrics[key]))
    return {family: math.exp(sum(values) / len(values)) for family, values in sorted(logs.items())}


def _family(key: str) -> str:
    return key.rsplit('/', 1)[0]


class Verdict(NamedTuple):
    r"""A run judged against a baseline: one row per family and one per metric."""

    families: list[Row]
    metrics: list[Row]

    @property
    def failed(self) -> list[Row]:
        r"""The rows that regressed, families first."""

        return regressions(self.families) + regressions(self.metrics)


def judge(
    current: dict[str, float],
    baseline: dict[str, float],
    threshold: float,
    metric_threshold: float,
    again: dict[str, float] | None = None,
) -> Verdict:
    r"""Compares families with ``threshold`` and single metrics with
    ``metric_threshold`` (both in percent). ``again`` holds metrics measured a second
    time; each counts the better of its two measurements.

    Example:
        >>> now = {'f/scope/N10-tied0': 1.3, 'f/scope/N100-tied0': 1.3}
        >>> then = {'f/scope/N10-tied0': 1.0, 'f/scope/N100-tied0': 1.0}
        >>> [(r.key, r.status) for r in judge(now, then, 15, 50).failed]
        [('f/scope', 'REGRESSED')]
        >>> verdict = judge(now, then, 15, 50, again={'f/scope/N10-tied0': 1.0, 'f/scope/N100-tied0': 1.1})
        >>> [(r.key, r.status) for r in verdict.families], verdict.failed
        ([('f/scope', 'noise')], [])
    """

    best = dict(current)
    for key, value in (again or {}).items():
        if key in best:
            best[key] = min(best[key], value)
    common = sorted(current.keys() & baseline.keys())

    def rows(measured: dict[str, float]) -> list[Row]:
        return compare(families(measured, common), families(baseline, common), threshold)

    return Verdict(
        _noise(rows(best), rows(current)),
        _noise(compare(best, baseline, metric_threshold), compare(current, baseline, metric_threshold)),
    )


def _noise(final: list[Row], first: list[Row]) -> list[Row]:
    return [
        row._replace(status='noise') if before.status == 'REGRESSED' and row.status != 'REGRESSED' else row
        for row, before in zip(final, first, strict=True)
    ]


def status(change: float, threshold: float) -> str:
    r"""A row's status for a ``change`` against a ``threshold``, both in percent."""

    # The rule of pytest-benchmark's RegressionCheck.fails (a change above the
    # threshold), and its mirror image for an improvement.
    if change > threshold:
        return 'REGRESSED'
    return 'improved' if change < -threshold else 'ok'


def suspects(verdict: Verdict) -> list[str]:
    r"""The metrics to measure again before a run fails: those that regressed, and
    every measured metric of a family that regressed.

    Example:
        >>> now = {'f/scope/N10-tied0': 1.3, 'f/scope/N100-tied0': 1.3, 'g/scope/N10-tied0': 1.0}
        >>> suspects(judge(now, dict.fromkeys(now, 1.0), 15, 50))
        ['f/scope/N10-tied0', 'f/scope/N100-tied0']
    """

    failed = {row.key for row in regressions(verdict.families)}
    return [
        row.key
        for row in verdict.metrics
        if row.status == 'REGRESSED' or (row.current is not None and _family(row.key) in failed)
    ]


def format_table(rows: list[Row]) -> str:
    r"""A plain-text table of compared metrics.

    Example:
        >>> print(format_table([Row('flatten/scope/N10-tied0', 2.0, 2.5, 25.0, 'REGRESSED')]))
        metric                   baseline  current  change  status
        flatten/scope/N10-tied0      2.00     2.50  +25.0%  REGRESSED
    """

    def number(x: float | None) -> str:
        return '-' if x is None else f'{x:.2f}'

    width = max([len('metric')] + [len(row.key) for row in rows])
    lines = [f'{"metric":<{width}}  baseline  current  change  status']
    for row in rows:
        change = '-' if row.change is None else f'{row.change:+.1f}%'
        lines.append(
            f'{row.key:<{width}}  {number(row.baseline):>8}  {number(row.current):>7}  {change:>6}  {row.status}'
        )
    return '\n'.join(lines)


def load_baseline(path: str) -> dict[str, Any]:
    r"""Reads a baseline document; a missing file is a :class:`MissingBaselineError`."""

    if not os.path.exists(path):
        raise MissingBaselineError(
            f'no baseline at {path}: record one for this machine class with --update-baseline '
            '(after checking that the run is sound), or name another with --baseline'
        )
    with open(path) as f:
        return json.load(f)


def append_history(path: str, entry: dict[str, Any]) -> None:
    r"""Appends one run to a history file (one JSON object per line)."""

    with open(path, 'a') as f:
        f.write(json.dumps(entry, sort_keys=True) + '\n')


def read_history(path: str | None) -> list[dict[str, Any]]:
    r"""The runs of a history file, oldest first; none if there is no file."""

    if path is None or not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
