r"""How many rounds each benchmark runs, so that the whole suite fits in minutes.

Below :data:`LARGE` layers, pytest-benchmark calibrates and repeats as configured
(``pytest.ini``). At :data:`LARGE` layers one call can take seconds, so the rounds
are set explicitly: the time of the same benchmark at the size before, times the
growth in size, predicts one call, and as many rounds run as fit in
:data:`LARGE_BUDGET_S` (at least one, at most :data:`LARGE_MAX_ROUNDS`), after a
warm-up round only if that round is cheap.
"""

from __future__ import annotations

__all__ = ['LARGE', 'measure', 'rounds_for']

import math
import time

from typing import Any, Callable, Dict, Optional, Tuple

LARGE = 10_000
LARGE_BUDGET_S = 1.5
LARGE_MAX_ROUNDS = 5
WARMUP_BELOW_S = 0.5

# (op, peer, variant, n) -> fastest round seen in this process, in seconds.
_SEEN: Dict[Tuple[str, str, str, int], float] = {}


def rounds_for(predicted_s: float) -> Tuple[int, int]:
    r"""Returns ``(rounds, warmup_rounds)`` for a call predicted to take ``predicted_s``.

    Example:
        >>> rounds_for(0.01), rounds_for(0.4), rounds_for(9.0)
        ((5, 1), (3, 1), (1, 0))
    """

    rounds = max(1, min(LARGE_MAX_ROUNDS, math.floor(LARGE_BUDGET_S / predicted_s)))
    return rounds, int(predicted_s < WARMUP_BELOW_S)


def _predict(key: Tuple[str, str, str, int], fn: Callable[[], Any]) -> float:
    op, peer, variant, n = key
    smaller = [(m, t) for (o, p, v, m), t in _SEEN.items() if (o, p, v) == (op, peer, variant) and m < n]
    if smaller:
        m, t = max(smaller)
        return t * n / m
    start = time.perf_counter()  # nothing to go by: one call, which also warms up
    fn()
    return time.perf_counter() - start


def measure(benchmark: Any, key: Tuple[str, str, str, int], fn: Callable[[], Any]) -> Any:
    r"""Benchmarks ``fn`` under the policy above; ``key`` is ``(op, peer, variant, n)``."""

    n = key[3]
    if n < LARGE:
        result = benchmark(fn)
    else:
        rounds, warmup = rounds_for(_predict(key, fn))
        result = benchmark.pedantic(fn, rounds=rounds, warmup_rounds=warmup, iterations=1)
    stats: Optional[Any] = getattr(benchmark, 'stats', None)
    if stats is not None:
        _SEEN[key] = stats.stats.min
    return result
