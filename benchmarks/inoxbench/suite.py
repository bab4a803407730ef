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

import functools

import jax
import pytest

from typing import Any, Callable

from . import peers
from .memory import flatten_memory
from .shapes import Shape
from .timing import measure

# Compiling a gradient step over 20,000 parameters takes over a minute per peer on
# two cores; the dispatch at that size is measured by test_jit_call.
GRAD_MAX_N = 1_000


@functools.lru_cache(maxsize=None)
def _model(peer_name: str, shape: Shape) -> Any:
    return peers.load(peer_name).build(shape)


class Case:
    r"""One peer on one shape; the model is built once per process and reused."""

    def __init__(self, peer: str, shape: Shape, process: str):
        self.peer_name, self.shape, self.process = peer, shape, process

    @property
    def id(self) -> str:
        return f'{self.peer_name}-{self.shape.name}'

    @property
    def peer(self) -> peers.Peer:
        return peers.load(self.peer_name)

    @property
    def model(self) -> Any:
        try:
            return _model(self.peer_name, self.shape)
        except peers.Unsupported as error:
            pytest.skip(f'{self.peer_name} on {self.shape.name}: {error}')

    def run(self, benchmark: Any, op: str, fn: Callable[[], Any]) -> Any:
        r"""Benchmarks ``fn`` as operation ``op`` of this case."""

        benchmark.group = f'{op} {self.shape.name}'
        benchmark.extra_info.update(
            op=op,
            peer=self.peer_name,
            n=self.shape.n,
            variant=self.shape.variant,
            unique_leaves=2 * self.shape.unique,
            process=self.process,
            version=self.peer.version(),
        )
        return measure(benchmark, (op, self.peer_name, self.shape.variant, self.shape.n), fn)


def test_flatten(benchmark, case):
    peer, model = case.peer, case.model
    case.run(benchmark, 'flatten', lambda: peer.flatten(model))
    benchmark.extra_info.update(flatten_memory(peer, model))


def test_unflatten(benchmark, case):
    peer, model = case.peer, case.model
    flat = peer.flatten(model)
    case.run(benchmark, 'unflatten', lambda: peer.unflatten(flat))


def test_roundtrip(benchmark, case):
    peer, model = case.peer, case.model
    case.run(benchmark, 'roundtrip', lambda: peer.unflatten(peer.flatten(model)))


def test_partition(benchmark, case):
    peer, model = case.peer, case.model
    case.run(benchmark, 'partition', lambda: peer.partition(model))


def test_combine(benchmark, case):
    peer, model = case.peer, case.model
    parts = peer.partition(model)
    case.run(benchmark, 'combine', lambda: peer.combine(parts))


def test_partition_combine(benchmark, case):
    peer, model = case.peer, case.model
    case.run(benchmark, 'partition_combine', lambda: peer.combine(peer.partition(model)))


def test_jit_call(benchmark, case):
    peer, model = case.peer, case.model
    fn, args = peer.jit_call(model)
    fn(*args).block_until_ready()  # compiles, outside the measure
    case.run(benchmark, 'jit_call', lambda: fn(*args).block_until_ready())


def test_grad_step(benchmark, case):
    if case.shape.n > GRAD_MAX_N:
        pytest.skip(f'gradient steps are benchmarked up to N={GRAD_MAX_N} (compile time)')
    peer, model = case.peer, case.model
    fn, args = peer.grad_step(model)
    jax.block_until_ready(fn(*args))  # compiles, outside the measure
    case.run(benchmark, 'grad_step', lambda: jax.block_until_ready(fn(*args)))
