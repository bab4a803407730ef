r"""The performance targets of issues 5 and 27, evaluated on a merged run.

They are reported, never asserted: a missed target is a finding to profile, not a
failed test. Every ratio uses the same statistic (the minimum by default); a ratio
across processes (inox 0.8.0 against ours) compares times measured one process
after the other on the same machine.
"""

from __future__ import annotations

__all__ = ['EQUINOX_PEERS', 'EQUINOX_SIZES', 'Check', 'TARGETS', 'evaluate', 'format_checks']

from collections.abc import Callable
from typing import NamedTuple

from .results import Run
from .shapes import SIZES

SHARED = ('tied0', 'tied50', 'tied90')
ALL = SHARED + ('cyclic',)


class Check(NamedTuple):
    r"""One measured ratio against one target's limit."""

    target: str
    case: str
    value: float | None  # None: not measured in this run
    limit: float
    at_most: bool  # whether the value must be at most (else at least) the limit

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value <= self.limit if self.at_most else self.value >= self.limit


def _ratio(run: Run, stat: str, top: tuple, bottom: tuple) -> float | None:
    a, b = run.time(*top, stat=stat), run.time(*bottom, stat=stat)
    return None if a is None or b is None or b == 0 else a / b


def _scope_vs_module(run: Run, stat: str) -> list[Check]:
    name = 'Scope flatten+unflatten <= 1.3x plain Module'
    return [
        Check(
            name,
            f'N={n} {v}',
            _ratio(run, stat, ('roundtrip', 'scope', n, v), ('roundtrip', 'module', n, v)),
            1.3,
            True,
        )
        for v in SHARED
        for n in SIZES
    ]


def _faster_than(
    peer: str, label: str, limit: float, ops: dict, us: str = 'scope', our_label: str = ''
) -> Callable[[Run, str], list[Check]]:
    def checks(run: Run, stat: str) -> list[Check]:
        return [
            Check(
                f'{our_label}{ours_label} >= {limit:g}x faster than {label} {theirs_label}',
                f'N=1000 {v}',
                _ratio(run, stat, (theirs, peer, 1000, v), (ours, us, 1000, v)),
                limit,
                False,
            )
            for (ours, ours_label), (theirs, theirs_label) in ops.items()
            for v in ALL
        ]

    return checks


def _linear(run: Run, stat: str) -> list[Check]:
    return [
        Check(
            f'Scope {op} N=1,000 -> 10,000 grows <= 11x',
            v,
            _ratio(run, stat, (op, 'scope', 10_000, v), (op, 'scope', 1_000, v)),
            11.0,
            True,
        )
        for op in ('roundtrip', 'partition_combine', 'jit_call')
        for v in ALL
    ]


def _jit_vs_equinox(run: Run, stat: str) -> list[Check]:
    name = 'jit call with a Scope <= 1.2x eqx.filter_jit on an Equinox module'
    return [
        Check(
            name, f'N={n} {v}', _ratio(run, stat, ('jit_call', 'scope', n, v), ('jit_call', 'equinox', n, v)), 1.2, True
        )
        for v in SHARED
        for n in SIZES
    ]


# Issue 27: the fast walk (the `fast` peer) at or below Equinox in every operation, at the
# sizes it names, on the shapes Equinox can build (it cannot hold a cycle); the gradient
# step, measured up to GRAD_MAX_N, stays ahead too.
_EQUINOX_OPERATIONS = ('flatten', 'unflatten', 'roundtrip', 'partition', 'combine', 'partition_combine', 'jit_call')
#: The peers and sizes of those targets: what ``track.py --counts --targets`` counts.
EQUINOX_PEERS = ('fast', 'equinox')
EQUINOX_SIZES = (100, 1_000, 10_000)


def _fast_vs_equinox(run: Run, stat: str) -> list[Check]:
    r"""The `fast` peer's time over Equinox's, per operation and shape.

    Example:
        >>> def entry(peer, seconds):
        ...     info = dict(op='unflatten', peer=peer, n=100, variant='tied50', process='p')
        ...     return {'stats': {'min': seconds}, 'extra_info': info}
        >>> run = Run({'benchmarks': [entry('fast', 2e-6), entry('equinox', 4e-6)]})
        >>> [(c.target, c.case, c.value, c.met) for c in _fast_vs_equinox(run, 'min') if c.value is not None]
        [('fast unflatten <= 1x Equinox unflatten', 'N=100 tied50', 0.5, True)]
    """

    sizes = dict.fromkeys(_EQUINOX_OPERATIONS, EQUINOX_SIZES) | {'grad_step': (100, 1_000)}
    return [
        Check(
            f'fast {op} <= 1x Equinox {op}',
            f'N={n} {v}',
            _ratio(run, stat, (op, 'fast', n, v), (op, 'equinox', n, v)),
            1.0,
            True,
        )
        for op, ns in sizes.items()
        for v in SHARED
        for n in ns
    ]


TARGETS = [
    _scope_vs_module,
    _faster_than(
        'inox_0_8_0',
        'inox 0.8.0',
        5.0,
        {
            ('roundtrip', 'flatten+unflatten'): ('roundtrip', 'flatten+unflatten'),
            ('partition_combine', 'partition+combine'): ('partition_combine', 'partition+combine'),
        },
    ),
    # Not a target: the bare Python walk (peers/bare_walk.py) shows how far any
    # per-call Python walk can get.
    _faster_than(
        'inox_0_8_0',
        'inox 0.8.0',
        5.0,
        {('roundtrip', 'flatten+unflatten'): ('roundtrip', 'flatten+unflatten')},
        us='bare_walk',
        our_label='(floor) a bare Python walk: ',
    ),
    _faster_than(
        'nnx',
        'NNX',
        3.0,
        {
            ('roundtrip', 'flatten+unflatten'): ('roundtrip', 'split+merge'),
            ('partition_combine', 'partition+combine'): ('partition_combine', 'split(Param)+merge'),
        },
    ),
    _linear,
    _jit_vs_equinox,
    _fast_vs_equinox,
]


def evaluate(run: Run, stat: str = 'min') -> list[Check]:
    r"""Every check of every target."""

    return [check for target in TARGETS for check in target(run, stat)]


def format_checks(checks: list[Check]) -> str:
    r"""A plain-text table of the measured checks, one block per target.

    Example:
        >>> print(format_checks([Check('T', 'N=10 tied0', 1.25, 1.3, True),
        ...                      Check('T', 'N=100 tied0', None, 1.3, True)]))
        T
          N=10 tied0     1.25  (<= 1.3)  met
          (1 more not measured in this run)
    """

    lines: list[str] = []
    width = max((len(c.case) for c in checks if c.value is not None), default=0)
    for target in dict.fromkeys(c.target for c in checks):
        mine = [c for c in checks if c.target == target]
        measured = [c for c in mine if c.value is not None]
        if not measured:
            continue
        lines.append(target)
        for check in measured:
            bound = f'({"<=" if check.at_most else ">="} {check.limit:g})'
            verdict = 'met' if check.met else 'MISSED'
            lines.append(f'  {check.case:<{width}}  {check.value:>7.2f}  {bound}  {verdict}')
        if len(measured) < len(mine):
            lines.append(f'  ({len(mine) - len(measured)} more not measured in this run)')
    return '\n'.join(lines) if lines else '(no target was measured in this run)'
