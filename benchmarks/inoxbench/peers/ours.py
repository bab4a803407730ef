r"""This checkout's inox: a plain :class:`inox.nn.Module` and a :class:`inox.nn.Scope`.

Both hold the list of layers at the same positions. The plain module has no
:class:`~inox.nn.Reference`, so a tied layer is flattened once per position (and a
cyclic model cannot be built); the scope wraps each unique layer in one Reference,
held at every position of that layer, so tied positions are pruned.
"""

from __future__ import annotations

__all__ = ['Layer', 'PEERS', 'layer_class', 'scope_model']

from types import ModuleType

import jax

import inox.nn as nn

from ..shapes import unique_arrays
from . import Peer, Unsupported
from .jitted import example_input, sgd_step


def layer_class(classes: ModuleType) -> type:
    r"""The affine layer ``x @ weight + bias`` made of the ``Module`` and ``Parameter`` of
    ``classes`` (:mod:`inox.nn`, :mod:`inox.fast.nn`, or a release's ``inox.nn`` in the
    process of its peer)."""

    class Layer(classes.Module):
        def __init__(self, weight, bias):
            self.weight = classes.Parameter(weight)
            self.bias = classes.Parameter(bias)

        def __call__(self, x):
            return x @ self.weight() + self.bias()

    Layer.__doc__ = r"""An affine layer ``x @ weight + bias``."""
    return Layer


Layer = layer_class(nn)


def _layers(shape):
    return [Layer(weight, bias) for weight, bias in unique_arrays(shape.unique)]


def scope_model(classes: ModuleType, layer: type, shape):
    r"""The `scope` peer's model of ``shape``, made of the classes of ``classes``: a
    ``Scope`` that holds one ``Reference`` per unique ``layer`` at each of its positions,
    or, cyclic, a Reference to the list of layers, which each layer refers back to."""

    layers = [layer(weight, bias) for weight, bias in unique_arrays(shape.unique)]
    if shape.cyclic:
        held = classes.Reference('layers', layers)
        for each in layers:
            each.owner = held  # (closes the cycle)
        return classes.Scope(layers=held)
    references = [classes.Reference(j, each) for j, each in enumerate(layers)]
    return classes.Scope(layers=[references[shape.source(i)] for i in range(shape.n)])


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
        return scope_model(nn, Layer, shape)


PEERS = {'module': PlainModule(), 'scope': Shared()}
