r"""Hypothesis profiles of the suite: ``ci``, ``extended``, ``thorough`` and ``mutation``.

The active profile is named by the environment variable ``INOX_HYPOTHESIS_PROFILE``
(default ``ci``), which ``bazel test --config=thorough`` sets and the plugin option
``--spec-profile`` overrides. Each property states its own ``ci`` budget, sized so that
the whole suite stays within a few minutes on two cores; ``extended`` runs at least
1,000 examples of every property and ``thorough`` at least 10,000 (a property whose
examples cost more says how much more: see :func:`settings_for`), both with fresh
random examples on every run. ``mutation`` runs the examples of ``ci`` without shrinking
a failure, and stops at a property's first failure: mutation testing (``tools/mutation``)
asks only whether a property fails, and shrinking takes most of the time of a failing
run. The settings are given to each property rather than loaded globally, so the suite
never changes other tests' profiles, and they never use an example database, so nothing
is written into the source tree.
"""

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings

ENV = 'INOX_HYPOTHESIS_PROFILE'
PROFILES = ('ci', 'extended', 'thorough', 'mutation')
#: The examples of every property in the profiles other than ``ci``.
EXAMPLES = {'extended': 1_000, 'thorough': 10_000}

# Graphs are large draws and some properties compile with jax: neither is a bug.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

# No explain phase: it traces every line of a failing example, and in a thread whose
# recursion budget a failing implementation exhausted, the tracer itself fails.
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]


def active() -> str:
    r"""The name of the active profile.

    Raises:
        ValueError: If the environment names an unknown profile.
    """

    name = os.environ.get(ENV, 'ci')
    if name not in PROFILES:
        raise ValueError(f'{ENV}={name!r} names no profile of the suite; use one of {PROFILES}')
    return name


def settings_for(ci: int, cost: int = 1) -> settings:
    r"""The settings of a property whose ``ci`` budget is ``ci`` examples and whose every
    example costs about ``cost`` ordinary ones (spec_tests/README.md gives the scale: a jax
    compilation 3, a tree of 10,000 levels or a new interpreter 100). The profiles other
    than ``ci`` run ``1/cost`` of their examples, never fewer than ``ci``.

    Example:
        >>> settings_for(7).max_examples if active() == 'ci' else 7
        7
        >>> settings_for(3, cost=100).max_examples == max(3, EXAMPLES.get(active(), 0) // 100)
        True
    """

    common: dict[str, Any] = dict(
        database=None, deadline=None, suppress_health_check=_SUPPRESSED, print_blob=False, phases=_PHASES
    )
    if active() == 'mutation':
        common['phases'] = [phase for phase in _PHASES if phase != Phase.shrink]
        common['report_multiple_bugs'] = False  # whether a property fails, not how often
    if active() in ('ci', 'mutation'):
        # derandomize: the same examples on every run of the same files, on every machine
        # (hypothesis' pool of literals depends on the modules loaded: see spec_tests/README.md).
        return settings(max_examples=ci, derandomize=True, **common)
    return settings(max_examples=max(ci, EXAMPLES[active()] // cost), **common)
