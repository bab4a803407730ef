r"""The benchmarks: each operation of :data:`inoxbench.suite.OPERATIONS` on every chosen
peer and shape, in one process.

From the repository root, ``pytest benchmarks/bench_test.py`` runs this checkout's peers;
``--peers`` chooses others (``--peers=floor,inox_0_8_0`` where inox 0.8.0 is installed: it
is also called ``inox``, so a release runs in a process of its own). ``./bazelw run
//benchmarks:track`` runs every process and compares with the baseline.
"""

import sys

from inoxbench.runner import main

if __name__ == '__main__':
    sys.exit(main(__file__, sys.argv[1:]))

import jax  # noqa: E402
import pytest  # noqa: E402
from inoxbench.memory import flatten_memory  # noqa: E402
from inoxbench.suite import GRAD_MAX_N  # noqa: E402


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
