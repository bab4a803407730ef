r"""A change smaller than the noise between runs, measured against another commit in the
same run: rounds of two processes back to back, one per commit, each change taken within
its round (:func:`pair_rounds`), and judged by the median over the rounds
(:func:`judge_paired`).
"""

from __future__ import annotations

__all__ = ['Paired', 'PairedRun', 'format_rounds', 'judge_paired', 'pair_rounds']

import statistics
from typing import NamedTuple

from .tracking import Row, Verdict, families, status


class Paired(NamedTuple):
    r"""One family's or metric's values over the rounds of a paired run: ``then`` from the
    other commit, ``now`` from this checkout, one of each per round that measured it."""

    then: list[float]
    now: list[float]

    @property
    def changes(self) -> list[float]:
        r"""The change, in percent, within each round."""

        return [(now / then - 1) * 100 for then, now in zip(self.then, self.now, strict=True)]


class PairedRun(NamedTuple):
    r"""The rounds of a paired run, by family and by metric (see :func:`pair_rounds`)."""

    families: dict[str, Paired]
    metrics: dict[str, Paired]


def pair_rounds(rounds: list[tuple[dict[str, float], dict[str, float]]]) -> PairedRun:
    r"""Collects the rounds of a paired run.

    A round is ``(other, this)``: the metrics of the two commits, measured in two
    processes back to back. Its families are over the shapes both processes measured;
    a metric only one of them measured is left out of that round.

    Example:
        >>> other = {'f/scope/N10-tied0': 2.0, 'f/scope/N100-tied0': 8.0}
        >>> this = {'f/scope/N10-tied0': 2.2, 'f/scope/N100-tied0': 8.8, 'f/scope/N1000-tied0': 9.0}
        >>> run = pair_rounds([(other, this)])
        >>> {key: [round(c, 1) for c in paired.changes] for key, paired in run.families.items()}
        {'f/scope': [10.0]}
        >>> sorted(run.metrics)
        ['f/scope/N10-tied0', 'f/scope/N100-tied0']
    """

    run = PairedRun({}, {})
    for then, now in rounds:
        common = sorted(then.keys() & now.keys())
        for level, before, after in (
            (run.metrics, {key: then[key] for key in common}, {key: now[key] for key in common}),
            (run.families, families(then, common), families(now, common)),
        ):
            for key, value in before.items():
                paired = level.setdefault(key, Paired([], []))
                paired.then.append(value)
                paired.now.append(after[key])
    return PairedRun(dict(sorted(run.families.items())), dict(sorted(run.metrics.items())))


def judge_paired(run: PairedRun, threshold: float, metric_threshold: float) -> Verdict:
    r"""Judges this commit against another measured in the same run: a row's change is
    the median of its changes within the rounds, compared with ``threshold`` (families)
    or ``metric_threshold`` (single metrics), in percent; its baseline and current are
    the medians of either commit's values.

    Example:
        >>> quiet = ({'f/scope/N10-tied0': 1.0}, {'f/scope/N10-tied0': 1.02})
        >>> busy = ({'f/scope/N10-tied0': 1.0}, {'f/scope/N10-tied0': 1.5})
        >>> verdict = judge_paired(pair_rounds([quiet, quiet, busy]), 5, 50)
        >>> [(r.key, round(r.change, 1), r.status) for r in verdict.families]
        [('f/scope', 2.0, 'ok')]
        >>> [r.key for r in judge_paired(pair_rounds([busy, busy, quiet]), 5, 50).failed]
        ['f/scope']
    """

    def rows(level: dict[str, Paired], limit: float) -> list[Row]:
        judged = []
        for key, paired in level.items():
            change = statistics.median(paired.changes)
            then, now = statistics.median(paired.then), statistics.median(paired.now)
            judged.append(Row(key, then, now, change, status(change, limit)))
        return judged

    return Verdict(rows(run.families, threshold), rows(run.metrics, metric_threshold))


def format_rounds(level: dict[str, Paired]) -> str:
    r"""A plain-text table of the families of a :class:`PairedRun`: the
    change within each round, and the median.

    Example:
        >>> print(format_rounds({'flatten/scope': Paired([1.0, 1.0, 1.0], [1.02, 0.99, 1.3])}))
        family         round 1  round 2  round 3  median
        flatten/scope    +2.0%    -1.0%   +30.0%   +2.0%
    """

    changes = {key: paired.changes for key, paired in level.items()}
    count = max(len(values) for values in changes.values())
    width = max([len('family')] + [len(key) for key in changes])
    lines = [f'{"family":<{width}}  ' + '  '.join(f'round {i + 1}' for i in range(count)) + '  median']
    for key, values in changes.items():
        cells = [f'{value:+.1f}%'.rjust(len(f'round {i + 1}')) for i, value in enumerate(values)]
        lines.append(f'{key:<{width}}  ' + '  '.join(cells) + '  ' + f'{statistics.median(values):+.1f}%'.rjust(6))
    return '\n'.join(lines)
