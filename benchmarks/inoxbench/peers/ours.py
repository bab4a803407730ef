r"""This checkout's inox: a plain :class:`inox.nn.Module` and a :class:`inox.nn.Scope`.

Both hold the list of layers at the same positions. The plain module has no
:class:`~inox.nn.Reference`, so a tied layer is flattened once per position (and a
cyclic model cannot be built); the scope wraps each unique layer in one Reference,
held at every position of that layer, so tied positions are pruned.
"""

from __future__ import annotations

__all__ = ['Layer', 'PEERS']

import jax

import inox.nn as nn

from ..shapes import unique_arrays
from . import Peer, Unsupported
from .jitted import example_input, sgd_step


class Layer(nn.Module):
    r"""An affine layer ``x @ weight + bias``."""

    def __init__(self, weight, bias):
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(bias)

    def __call__(self, x):
        return x @ self.weight() + self.bias()


def _layers(shape):
    return [Layer(weight, bias) for weight, bias in unique_arrays(shape.unique)]


def _first_layer(model, x):
    layers = model.layers
    if isinstance(layers, nn.Reference):  # the cyclic model references its list
        layers = layers.value
    return layers[0](x)


class Ours(Peer):
    r"""Flatten and unflatten go through JAX's pytree registry, as in transformations."""

    library = 'inox'

    def partition(self, model):
        return model.partition(nn.Parameter)

    def combine(self, parts):
        static, params, others = parts
        return static(params, others)

    def jit_call(self, model):
        return jax.jit(_first_layer), (model, example_input())

    def grad_step(self, model):
        static, params, others = model.partition(nn.Parameter)
        step = sgd_step(lambda p, o, x: _first_layer(static(p, o), x).sum())
        return step, (params, others, example_input())


class PlainModule(Ours):
    r"""An :class:`inox.nn.Module` with no sharing."""

    name = 'module'

    def build(self, shape):
        if shape.cyclic:
            raise Unsupported('a plain Module cannot hold a cycle (CycleError)')
        layers = _layers(shape)
        return nn.Module(layers=[layers[shape.source(i)] for i in range(shape.n)])


class Shared(Ours):
    r"""An :class:`inox.nn.Scope` whose layers are :class:`inox.nn.Reference` objects."""

    name = 'scope'

    def build(self, shape):
        layers = _layers(shape)
        if shape.cyclic:
            held = nn.Reference('layers', layers)
            for layer in layers:
                layer.owner = held  # pyright: ignore[reportAttributeAccessIssue] (closes the cycle)
            return nn.Scope(layers=held)
        references = [nn.Reference(j, layer) for j, layer in enumerate(layers)]
        return nn.Scope(layers=[references[shape.source(i)] for i in range(shape.n)])


PEERS = {'module': PlainModule(), 'scope': Shared()}
