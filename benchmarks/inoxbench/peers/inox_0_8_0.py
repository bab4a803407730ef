r"""inox 0.8.0 from PyPI: its :class:`Scope` and :class:`Reference`.

It is also called ``inox``, so it runs in a process of its own
(``--peers=floor,inox_0_8_0``); the models are those of :mod:`.ours`, with 0.8.0's API
(``Reference.obj`` instead of ``Reference.value``).
"""

from __future__ import annotations

__all__ = ['PEERS']

import jax

import inox
import inox.nn as nn

from ..shapes import unique_arrays
from . import Peer
from .jitted import example_input, sgd_step

if inox.__version__ != '0.8.0':
    raise ImportError(f'inox 0.8.0 was expected, but inox {inox.__version__} is at {inox.__file__}')


class Layer(nn.Module):
    r"""An affine layer ``x @ weight + bias``."""

    def __init__(self, weight, bias):
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(bias)

    def __call__(self, x):
        return x @ self.weight() + self.bias()


def _first_layer(model, x):
    return model.layers[0](x)  # 0.8.0's Reference forwards indexing to its list


class Released(Peer):
    r"""The Scope of inox 0.8.0, built like :class:`.ours.Shared`."""

    name = 'inox_0_8_0'
    library = 'inox'

    def build(self, shape):
        layers = [Layer(weight, bias) for weight, bias in unique_arrays(shape.unique)]
        if shape.cyclic:
            held = nn.Reference('layers', layers)
            for layer in layers:
                layer.owner = held  # pyright: ignore[reportAttributeAccessIssue] (closes the cycle)
            return nn.Scope(layers=held)
        references = [nn.Reference(j, layer) for j, layer in enumerate(layers)]
        return nn.Scope(layers=[references[shape.source(i)] for i in range(shape.n)])

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


PEERS = {'inox_0_8_0': Released()}
