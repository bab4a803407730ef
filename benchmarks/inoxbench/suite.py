r"""The benchmarks, run by a test file on the peers it names in ``PEERS``.

Each test takes a :class:`Case` (one peer, one shape; see ``conftest.py``) and
benchmarks one operation. pytest-benchmark groups the peers of one operation and
shape together, and every result carries its coordinates in ``extra_info``:
``op``, ``peer``, ``n``, ``variant``, ``unique_leaves``, ``process``, ``version``.
"""

from __future__ import annotations

# In this order: a test file's `import *` decides the order pytest runs them in.
__all__ = [
    'Case',
    'test_flatten',
    'test_unflatten',
    'test_roundtrip',
    'test_partition',
    'test_combine',
    'test_partition_combine',
    'test_jit_call',
    'test_grad_step',
]

import gc
from collections.abc import Callable
from typing import Any

import jax
import pytest

from . import peers
from .memory import flatten_memory
from .shapes import Shape
from .timing import measure

# Compiling a gradient step over 20,000 parameters takes over a minute per peer on
# two cores; the dispatch at that size is measured by test_jit_call.
GRAD_MAX_N = 1_000


# The one model alive at a time (see ``conftest.py``): the cycle collector walks every
# live object, so models kept from earlier cases would slow the allocations of later ones.
_CURRENT: dict = {}


def _model(peer_name: str, shape: Shape) -> Any:
    key = (peer_name, shape)
    if key not in _CURRENT:
        _CURRENT.clear()
        gc.collect()
        _CURRENT[key] = peers.load(peer_name).build(shape)
    return _CURRENT[key]


class Case:
    r"""One peer on one shape; its model is built once, and reused by the benchmarks of
    the case, which run one after the other."""

    def __init__(self, peer: str, shape: Shape, process: str):
        self.peer_name, self.shape, self.process = peer, shape, process

    @property
    def id(self) -> str:
        r"""The test id, e.g. ``scope-N1000-tied50``."""

        return f'{self.peer_name}-{self.shape.name}'

    @property
    def peer(self) -> peers.Peer:
        r"""The peer; the test is skipped if it cannot be imported here."""

        try:
            return peers.load(self.peer_name)
        except ImportError as error:  # e.g. flax missing from a GPU machine's environment
            pytest.skip(f'{self.peer_name} cannot be imported here: {error}')

    def prepare(self, op: str) -> tuple[peers.Peer, Any]:
        r"""The peer and the model for benchmarking ``op``; the test is skipped if the
        peer does not offer ``op``."""

        peer = self.peer
        if peer.operations is not None and op not in peer.operations:
            pytest.skip(f'{self.peer_name} does not offer {op}')
        return peer, self.model

    @property
    def model(self) -> Any:
        r"""The model; the test is skipped if the peer cannot express the shape."""

        try:
            return _model(self.peer_name, self.shape)
        except peers.Unsupported as error:
            pytest.skip(f'{self.peer_name} on {self.shape.name}: {error}')

    def run(self, meter: Any, op: str, fn: Callable[[], Any]) -> Any:
        r"""Benchmarks ``fn`` as operation ``op`` of this case: ``meter`` is
        pytest-benchmark's fixture or an instruction counter (see ``conftest.py``)."""

        meter.group = f'{op} {self.shape.name}'
        meter.extra_info.update(
            op=op,
            peer=self.peer_name,
            n=self.shape.n,
            variant=self.shape.variant,
            unique_leaves=2 * self.shape.unique,
            process=self.process,
            version=self.peer.version(),
        )
        return measure(meter, (op, self.peer_name, self.shape.variant, self.shape.n), fn)


def test_flatten(meter, case):
    """Flatten, and the memory of one flatten."""
    peer, model = case.prepare('flatten')
    case.run(meter, 'flatten', lambda: peer.flatten(model))
    meter.extra_info.update(flatten_memory(peer, model))


def test_unflatten(meter, case):
    """Unflatten the result of a flatten."""
    peer, model = case.prepare('unflatten')
    flat = peer.flatten(model)
    case.run(meter, 'unflatten', lambda: peer.unflatten(flat))


def test_roundtrip(meter, case):
    """Flatten, then unflatten."""
    peer, model = case.prepare('roundtrip')
    case.run(meter, 'roundtrip', lambda: peer.unflatten(peer.flatten(model)))


def test_partition(meter, case):
    """Split the parameters from the rest."""
    peer, model = case.prepare('partition')
    case.run(meter, 'partition', lambda: peer.partition(model))


def test_combine(meter, case):
    """Rebuild the model from its partition."""
    peer, model = case.prepare('combine')
    parts = peer.partition(model)
    case.run(meter, 'combine', lambda: peer.combine(parts))


def test_partition_combine(meter, case):
    """Partition, then combine."""
    peer, model = case.prepare('partition_combine')
    case.run(meter, 'partition_combine', lambda: peer.combine(peer.partition(model)))


def test_jit_call(meter, case):
    """Call a compiled function with the model as argument: dispatch overhead."""
    peer, model = case.prepare('jit_call')
    fn, args = peer.jit_call(model)
    fn(*args).block_until_ready()  # compiles, outside the measure
    case.run(meter, 'jit_call', lambda: fn(*args).block_until_ready())


def test_grad_step(meter, case):
    """One compiled gradient step on the partitioned parameters."""
    if case.shape.n > GRAD_MAX_N:
        pytest.skip(f'gradient steps are benchmarked up to N={GRAD_MAX_N} (compile time)')
    peer, model = case.prepare('grad_step')
    fn, args = peer.grad_step(model)
    jax.block_until_ready(fn(*args))  # compiles, outside the measure
    case.run(meter, 'grad_step', lambda: jax.block_until_ready(fn(*args)))
