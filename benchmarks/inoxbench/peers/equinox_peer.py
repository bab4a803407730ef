r"""Equinox: modules are dataclass pytrees; ties go through :class:`eqx.nn.Shared`.

A tied model is the list of layers at every position wrapped in a ``Shared`` whose
``where`` names the repeated positions and whose ``get`` names their sources, so
the repeats are removed from the pytree and put back by ``shared()``. Equinox has no
way to express a cycle.
"""

from __future__ import annotations

__all__ = ['PEERS']

import equinox as eqx
import jax

from ..shapes import unique_arrays
from . import Peer, Unsupported
from .jitted import example_input, sgd_step


class Layer(eqx.Module):
    r"""An affine layer ``x @ weight + bias``."""

    weight: jax.Array
    bias: jax.Array

    def __call__(self, x):
        return x @ self.weight + self.bias


class Model(eqx.Module):
    r"""The list of layers."""

    layers: list


def _model(tree):
    return tree() if isinstance(tree, eqx.nn.Shared) else tree


def _first_layer(tree, x):
    return _model(tree).layers[0](x)


class Equinox(Peer):
    r"""Flatten is :func:`jax.tree_util.tree_flatten`; partition is
    :func:`eqx.partition` on inexact arrays; the jitted call uses
    :func:`eqx.filter_jit`."""

    name = 'equinox'
    library = 'equinox'

    def build(self, shape):
        if shape.cyclic:
            raise Unsupported('an Equinox module is a tree: it cannot hold a cycle')
        layers = [Layer(weight, bias) for weight, bias in unique_arrays(shape.unique)]
        model = Model([layers[shape.source(i)] for i in range(shape.n)])
        repeats = [i for i in range(shape.n) if shape.source(i) != i]
        if not repeats:
            return model
        return eqx.nn.Shared(
            model,
            lambda m: [m.layers[i] for i in repeats],
            lambda m: [m.layers[shape.source(i)] for i in repeats],
        )

    def partition(self, model):
        return eqx.partition(model, eqx.is_inexact_array)

    def combine(self, parts):
        return eqx.combine(*parts)

    def jit_call(self, model):
        return eqx.filter_jit(_first_layer), (model, example_input())

    def grad_step(self, model):
        params, static = eqx.partition(model, eqx.is_inexact_array)
        # The non-array half holds functions (Shared's where and get): closed over.
        step = sgd_step(lambda p, _, x: _first_layer(eqx.combine(p, static), x).sum())
        return step, (params, (), example_input())


PEERS = {'equinox': Equinox()}
