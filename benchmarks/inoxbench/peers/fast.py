r"""The fast implementation of this checkout, :mod:`inox.fast`: the `scope` peer's
models built from its classes, so that its ratio to every other peer is measured in
the same process."""

from __future__ import annotations

__all__ = ['PEERS']

from inox.fast import nn

from ..shapes import unique_arrays
from .ours import Ours


class Layer(nn.Module):
    r"""An affine layer ``x @ weight + bias``."""

    def __init__(self, weight, bias):
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(bias)

    def __call__(self, x):
        return x @ self.weight() + self.bias()


class Fast(Ours):
    r"""An :class:`inox.fast.nn.Scope` whose layers are :class:`inox.fast.nn.Reference`
    objects, as the `scope` peer's."""

    name = 'fast'

    def build(self, shape):
        layers = [Layer(weight, bias) for weight, bias in unique_arrays(shape.unique)]
        if shape.cyclic:
            held = nn.Reference('layers', layers)
            for layer in layers:
                layer.owner = held  # pyright: ignore[reportAttributeAccessIssue] (closes the cycle)
            return nn.Scope(layers=held)
        references = [nn.Reference(j, layer) for j, layer in enumerate(layers)]
        return nn.Scope(layers=[references[shape.source(i)] for i in range(shape.n)])


PEERS = {'fast': Fast()}
