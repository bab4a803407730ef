r"""inox 0.8.0 from PyPI: its :class:`Scope` and :class:`Reference`.

It is also called ``inox``, so it runs in a process of its own
(``--peers=floor,inox_0_8_0``); the models are those of :mod:`.ours`, built by its
builders from 0.8.0's classes (importing :mod:`.ours` there imports 0.8.0's
``inox.nn``, not this checkout's).
"""

from __future__ import annotations

__all__ = ['PEERS']

import jax

import inox
import inox.nn as nn

from . import Peer
from .jitted import example_input, sgd_step
from .ours import layer_class, scope_model

if inox.__version__ != '0.8.0':
    raise ImportError(f'inox 0.8.0 was expected, but inox {inox.__version__} is at {inox.__file__}')

Layer = layer_class(nn)


def _first_layer(model, x):
    return model.layers[0](x)  # 0.8.0's Reference forwards indexing to its list


class Released(Peer):
    r"""The Scope of inox 0.8.0, built like :class:`.ours.Shared`."""

    name = 'inox_0_8_0'
    library = 'inox'

    def build(self, shape):
        return scope_model(nn, Layer, shape)

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
