r"""The fast implementation of this checkout, :mod:`inox.fast`: the `scope` peer's
models built from its classes, so that its ratio to every other peer is measured in
the same process."""

from __future__ import annotations

__all__ = ['PEERS']

from inox.fast import nn

from .ours import Ours, layer_class, scope_model

Layer = layer_class(nn)


class Fast(Ours):
    r"""An :class:`inox.fast.nn.Scope` whose layers are :class:`inox.fast.nn.Reference`
    objects, as the `scope` peer's."""

    name = 'fast'

    def build(self, shape):
        return scope_model(nn, Layer, shape)


PEERS = {'fast': Fast()}
