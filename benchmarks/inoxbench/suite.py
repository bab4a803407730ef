r"""What the benchmarks of ``bench_test.py`` share: a :class:`Case` is one peer on one
shape (see ``conftest.py``), each test benchmarks one operation of it. pytest-benchmark
groups the peers of one operation and shape together, and every result carries its
coordinates in ``extra_info``: ``op``, ``peer``, ``n``, ``variant``, ``unique_leaves``,
``process``, ``version``.
"""

from __future__ import annotations

__all__ = ['Case', 'GRAD_MAX_N', 'OPERATIONS']

import gc
from collections.abc import Callable
from typing import Any

import jax
import pytest

from . import peers
from .shapes import Shape
from .timing import measure

# The operations, in the order a case runs them.
OPERATIONS = (
    'flatten',
    'unflatten',
    'roundtrip',
    'partition',
    'combine',
    'partition_combine',
    'jit_call',
    'grad_step',
)

# Compiling a gradient step over 20,000 parameters takes over a minute per peer on
# two cores; the dispatch at that size is measured by test_jit_call.
GRAD_MAX_N = 1_000


# The one model alive at a time (see ``conftest.py``): the cycle collector walks every
# live object, so models kept from earlier cases would slow the allocations of later ones.
# JAX's caches keep what the jitted calls of a case were traced with (at N = 1,000, some
# 11,000 to 18,000 objects per case of `module`, `scope` or `nnx`): they go with the model.
_CURRENT: dict = {}


def _model(peer_name: str, shape: Shape) -> Any:
    key = (peer_name, shape)
    if key not in _CURRENT:
        _CURRENT.clear()
        jax.clear_caches()
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
