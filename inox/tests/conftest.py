import jax
import jax.numpy as jnp
import pytest

import inox.nn as nn


class Chain(nn.Scope):
    r"""A scope whose References form a chain of any length, and a cycle if asked."""

    def __init__(self, length: int, cyclic: bool = False):
        first = node = nn.Module(w=nn.Parameter(jnp.zeros(1)))
        self.head = head = nn.Reference(0, first)
        for i in range(1, length):
            child = nn.Module(w=nn.Parameter(jnp.full(1, float(i))))
            node.next = nn.Reference(i, child)
            node = child
        if cyclic:
            node.next = head


@pytest.fixture
def mlp():
    from inox.examples.seed_example import WeightSharingMLP

    return WeightSharingMLP(jax.random.key(0))
