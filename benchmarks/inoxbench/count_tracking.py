r"""Instruction counts judged against a baseline: the count analogue of :mod:`.tracking`.

A tracked count is the number of instructions of one call of ``module``, ``scope`` or
``fast`` (:data:`COUNTED_PEERS`), from a count run of :mod:`.counting`. Counts are compared
as they are, not over the floor: the same code counts the same within a fraction of a
percent on any machine with the same software stack, so the floor is not needed. They are
judged by :func:`.tracking.judge`, families and single counts, at the thresholds below; the
floor's counts (jax's code, which no change of inox moves) tell the noise. A run that fails
is counted again in another address layout before it fails, as times are measured again:
once in CI, a single count of unchanged code came out 6.1% high (``benchmarks/README.md``).
"""

from __future__ import annotations

__all__ = [
    'COUNTED_PEERS',
    'COUNT_METRIC_THRESHOLD',
    'COUNT_THRESHOLD',
    'counts',
    'failure',
    'floor_counts',
    'format_counts',
    'noise',
    'version_differences',
]

from .results import Run
from .tracking import TRACKED_PEERS, Row, Verdict, format_spread, regressions

# In percent, from the spread of ten runs of unchanged code and their baseline (CHANGELOG.md,
# 2026-12-05): a family's geometric mean moved by at most 0.49% (grad_step/scope), a single
# count by at most 1.77% (grad_step/scope/N10-tied50). A family fails halfway between that
# spread and a 2% change, so that a 2% change fails and unchanged code passes, each with
# 0.75% to spare; a single count fails at twice the largest spread.
COUNT_THRESHOLD = 1.25
COUNT_METRIC_THRESHOLD = 3.5

#: The peers whose counts are tracked: the wall-time tracker's, and the fast implementation
#: (``inox/fast``), whose counts are deterministic where its times are not.
COUNTED_PEERS = (*TRACKED_PEERS, 'fast')


def counts(run: Run) -> dict[str, float]:
    r"""The instruction counts of the tracked peers in a count run, by key
    ``op/peer/N<n>-<variant>``.

    Example:
        >>> def count(peer, instructions):
        ...     info = dict(op='flatten', peer=peer, n=10, variant='tied0', process='p')
        ...     return {'stats': {'instructions': instructions}, 'extra_info': info}
        >>> counts(Run({'benchmarks': [count('floor', 1000), count('scope', 30000)]}))
        {'flatten/scope/N10-tied0': 30000}
    """

    return {
        f'{op}/{peer}/N{n}-{variant}': entry['stats']['instructions']
        for (op, peer, n, variant), entry in sorted(run.entries.items())
        if peer in COUNTED_PEERS
    }


def version_differences(before: Run, after: Run) -> list[str]:
    r"""The counted peers whose version differs between two count runs, each as
    ``peer: 'before' then 'after'``: the counts of such a peer measure two programs, say the
    fast walk compiled (``inox/fast``'s version ``compiled``) and run as source, which counts
    about twice as many. A peer that one run lacks differs in nothing.

    Example:
        >>> def run(version):
        ...     info = dict(op='flatten', peer='fast', n=10, variant='tied0', process='p', version=version)
        ...     return Run({'benchmarks': [{'stats': {'instructions': 1}, 'extra_info': info}]})
        >>> version_differences(run('source'), run('compiled')), version_differences(run('compiled'), run('compiled'))
        (["fast: 'source' then 'compiled'"], [])
    """

    differing = {
        (peer, before.info(op, peer, n, variant, 'version'), entry.get('extra_info', {}).get('version'))
        for (op, peer, n, variant), entry in after.entries.items()
        if peer in COUNTED_PEERS and (op, peer, n, variant) in before.entries
    }
    return [f'{peer}: {then!r} then {now!r}' for peer, then, now in sorted(differing, key=str) if then != now]


def floor_counts(run: Run) -> dict[str, float]:
    r"""The floor's instruction counts, by key ``op/N<n>-<variant>``: jax's own code,
    which no change of inox moves, so their change against a baseline is the noise."""

    return {
        f'{op}/N{n}-{variant}': entry['stats']['instructions']
        for (_, op, n, variant), entry in sorted(run.floors.items())
    }


def format_counts(rows: list[Row], run: Run) -> str:
    r"""A plain-text table of compared instruction counts, with each count's ratio to
    the floor's count of the same operation and shape.

    Example:
        >>> def count(peer, instructions):
        ...     info = dict(op='flatten', peer=peer, n=10, variant='tied0', process='p')
        ...     return {'stats': {'instructions': instructions}, 'extra_info': info}
        >>> run = Run({'benchmarks': [count('floor', 1000), count('scope', 30000)]})
        >>> print(format_counts([Row('flatten/scope/N10-tied0', 29000, 30000, 3.45, 'REGRESSED')], run))
        metric                      baseline      current  change  / floor  status
        flatten/scope/N10-tied0       29,000       30,000   +3.5%    30.00  REGRESSED
    """

    def number(x: float | None) -> str:
        return '-' if x is None else f'{x:,.0f}'

    width = max([len('metric')] + [len(row.key) for row in rows])
    lines = [f'{"metric":<{width}}  {"baseline":>11}  {"current":>11}  change  / floor  status']
    for row in rows:
        ratio = '-'
        parts = row.key.split('/')
        if len(parts) == 3 and row.current is not None:
            n, variant = parts[2][1:].split('-')
            floor = run.floor(parts[0], parts[1], int(n), variant)
            ratio = f'{row.current / floor["stats"]["instructions"]:.2f}' if floor else '-'
        change = '-' if row.change is None else f'{row.change:+.1f}%'
        lines.append(
            f'{row.key:<{width}}  {number(row.baseline):>11}  {number(row.current):>11}  {change:>6}  '
            f'{ratio:>7}  {row.status}'
        )
    return '\n'.join(lines)


def noise(run: Run, before: Run) -> str:
    r"""One line on how far the floor's counts moved between two runs, in percent.

    Example:
        >>> def floor(instructions):
        ...     info = dict(op='flatten', peer='floor', n=10, variant='tied0', process='p')
        ...     return Run({'benchmarks': [{'stats': {'instructions': instructions}, 'extra_info': info}]})
        >>> noise(floor(1003), floor(1000))
        'median 0.3%, at most 0.3% (flatten/N10-tied0), over 1 shapes'
    """

    now, then = floor_counts(run), floor_counts(before)
    spread = {key: abs(now[key] / then[key] - 1) * 100 for key in sorted(now.keys() & then.keys())}
    return format_spread(spread) if spread else 'no baseline to compare with'


def failure(verdict: Verdict) -> list[Row]:
    r"""The rows that make a count run fail: each regressed family followed by the counts
    of its shapes, then the single counts that regressed in other families.

    Example:
        >>> from .tracking import judge
        >>> now = {'f/scope/N10-tied0': 1030, 'f/scope/N100-tied0': 10300, 'g/scope/N10-tied0': 990}
        >>> then = {'f/scope/N10-tied0': 1000, 'f/scope/N100-tied0': 10000, 'g/scope/N10-tied0': 1000}
        >>> [(row.key, row.status) for row in failure(judge(now, then, 1.25, 3.5))]
        [('f/scope', 'REGRESSED'), ('f/scope/N10-tied0', 'ok'), ('f/scope/N100-tied0', 'ok')]
    """

    rows = []
    families = regressions(verdict.families)
    for family in families:
        rows.append(family)
        rows += [row for row in verdict.metrics if row.key.rsplit('/', 1)[0] == family.key]
    named = {row.key for row in rows}
    return rows + [row for row in regressions(verdict.metrics) if row.key not in named]
