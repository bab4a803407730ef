r"""How many rounds each benchmark runs, so that the whole suite fits in minutes.

Below :data:`LARGE` layers, pytest-benchmark calibrates and repeats as configured
(``pytest.ini``). At :data:`LARGE` layers one call can take seconds, so the rounds
are set explicitly: the time of the same benchmark at the size before, times the
growth in size, predicts one call. A call predicted to be cheap is timed once (which
also warms it up), and as many rounds run as fit in :data:`LARGE_BUDGET_S`, at most
:data:`LARGE_MAX_ROUNDS`; a call predicted to take :data:`PROBE_BELOW_S` or more is not
timed first, and runs the rounds that its prediction fits (three at most). Cheap calls need
the many rounds: over a few, the minimum of a call that spans several of the scheduler's
slices still reads the load of a busy machine, and that of a shorter call does not.

The cycle collector runs in the timed rounds, as it does in the counted call of
:mod:`.counting`: collecting the young objects that a call allocates is part of its
cost, which differs by peer (at 10,000 layers, 90% tied, each flatten of the ``fast``
peer leaves 20,000 new tuples for one collection to traverse, while Equinox's flatten
rarely triggers one). A full collection, whose cost is that of all the objects of the
process, falls in few rounds, and the minimum over the rounds leaves it out.
"""

from __future__ import annotations

__all__ = ['LARGE', 'measure', 'rounds_for']

import math
import time
from collections.abc import Callable
from typing import Any

LARGE = 10_000
LARGE_BUDGET_S = 1.5
# Reached by calls under 1.5 ms (the budget over the cap): a thousand samples are plenty,
# and a cheaper call ends before the budget.
LARGE_MAX_ROUNDS = 1_000
PROBE_BELOW_S = 0.5

# (op, peer, variant, n) -> fastest round seen in this process, in seconds.
_SEEN: dict[tuple[str, str, str, int], float] = {}


def rounds_for(seconds: float) -> int:
    r"""The rounds of a call that takes ``seconds``.

    Example:
        >>> rounds_for(0.0001), rounds_for(0.004), rounds_for(0.4), rounds_for(9.0)
        (1000, 375, 3, 1)
    """

    return max(1, min(LARGE_MAX_ROUNDS, math.floor(LARGE_BUDGET_S / seconds)))


def _extrapolate(key: tuple[str, str, str, int]) -> float | None:
    op, peer, variant, n = key
    smaller = [(m, t) for (o, p, v, m), t in _SEEN.items() if (o, p, v) == (op, peer, variant) and m < n]
    if not smaller:
        return None
    m, t = max(smaller)
    return t * n / m


def _probe(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(benchmark: Any, key: tuple[str, str, str, int], fn: Callable[[], Any]) -> Any:
    r"""Benchmarks ``fn`` under the policy above; ``key`` is ``(op, peer, variant, n)``."""

    if key[3] < LARGE:
        result = benchmark(fn)
    else:
        seconds = _extrapolate(key)
        if seconds is None or seconds < PROBE_BELOW_S:
            seconds = _probe(fn)
        result = benchmark.pedantic(fn, rounds=rounds_for(seconds), iterations=1)
    stats: Any | None = getattr(benchmark, 'stats', None)
    if stats is not None:
        _SEEN[key] = stats.stats.min
    return result
