r"""The floor: :mod:`jax.tree_util` on a flat dict of the unique leaves.

No library can do less than walking the unique leaves once, so every tracked ratio
is a time divided by the floor's time for the same operation and shape. The dict is
already partitioned (a path-array mapping), so its partition and combine are its
flatten and unflatten.
"""

from __future__ import annotations

__all__ = ['PEERS']

import jax

from ..shapes import unique_arrays
from . import Peer
from .jitted import example_input, sgd_step


def _first_layer(tree, x):
    return x @ tree['0.weight'] + tree['0.bias']


class Floor(Peer):
    r"""A flat dict ``{'j.weight': ..., 'j.bias': ...}`` of the unique layers."""

    name = 'floor'
    library = 'jax'

    def build(self, shape):
        tree = {}
        for j, (weight, bias) in enumerate(unique_arrays(shape.unique)):
            tree[f'{j}.weight'], tree[f'{j}.bias'] = weight, bias
        return tree

    partition = Peer.flatten
    combine = Peer.unflatten

    def jit_call(self, model):
        return jax.jit(_first_layer), (model, example_input())

    def grad_step(self, model):
        step = sgd_step(lambda params, rest, x: _first_layer(params, x).sum())
        return step, (model, {}, example_input())


PEERS = {'floor': Floor()}
