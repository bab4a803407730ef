r"""Flax NNX: modules are a graph of Python objects, split into a graph definition
and a state by :func:`nnx.split` and rebuilt by :func:`nnx.merge`.

A tied position holds the same layer object; in the cyclic model every layer holds
the model itself. NNX keeps both by object identity.
"""

from __future__ import annotations

__all__ = ['PEERS']

import jax
from flax import nnx

from ..shapes import unique_arrays
from . import Peer
from .jitted import example_input, sgd_step


class Layer(nnx.Module):
    r"""An affine layer ``x @ weight + bias``."""

    def __init__(self, weight, bias):
        self.weight = nnx.Param(weight)
        self.bias = nnx.Param(bias)

    def __call__(self, x):
        return x @ self.weight[...] + self.bias[...]


class Model(nnx.Module):
    r"""The list of layers."""

    def __init__(self, layers):
        # nnx.List (flax 0.12) marks a list of submodules; older NNX took plain lists.
        self.layers = getattr(nnx, 'List', list)(layers)


def _first_layer(model, x):
    return model.layers[0](x)


class Nnx(Peer):
    r"""Flatten is :func:`nnx.split`, partition is ``nnx.split(model, nnx.Param, ...)``
    and the jitted call uses :func:`nnx.jit`."""

    name = 'nnx'
    library = 'flax'

    def build(self, shape):
        layers = [Layer(weight, bias) for weight, bias in unique_arrays(shape.unique)]
        model = Model([layers[shape.source(i)] for i in range(shape.n)])
        if shape.cyclic:
            for layer in layers:
                layer.owner = model  # pyright: ignore[reportAttributeAccessIssue] (closes the cycle)
        return model

    def flatten(self, model):
        return nnx.split(model)

    def unflatten(self, flat):
        return nnx.merge(*flat)

    def leaves(self, flat):
        return jax.tree_util.tree_leaves(flat[1])

    def partition(self, model):
        return nnx.split(model, nnx.Param, ...)

    def combine(self, parts):
        return nnx.merge(*parts)

    def jit_call(self, model):
        return nnx.jit(_first_layer), (model, example_input())

    def grad_step(self, model):
        graphdef, params, rest = nnx.split(model, nnx.Param, ...)
        step = sgd_step(lambda p, r, x: _first_layer(nnx.merge(graphdef, p, r), x).sum())
        return step, (params, rest, example_input())


PEERS = {'nnx': Nnx()}
