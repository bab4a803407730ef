r"""The fast implementation of this checkout, :mod:`inox.fast`: the `scope` peer's
models built from its classes, so that its ratio to every other peer is measured in
the same process. Its version in the results says which walk ran: ``compiled`` (Bazel's
``//inox``) or ``source``."""

from __future__ import annotations

__all__ = ['PEERS']

from inox.fast import nn, walk

from .ours import Ours, layer_class, scope_model

Layer = layer_class(nn)


class Fast(Ours):
    r"""An :class:`inox.fast.nn.Scope` whose layers are :class:`inox.fast.nn.Reference`
    objects, as the `scope` peer's."""

    name = 'fast'

    def build(self, shape):
        return scope_model(nn, Layer, shape)

    def version(self):
        # Which walk ran: the extension module compiled from inox/fast/walk.py, or that file.
        return 'compiled' if walk.COMPILED else 'source'


PEERS = {'fast': Fast()}
