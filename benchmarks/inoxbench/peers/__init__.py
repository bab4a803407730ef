r"""The implementations compared by the suite, one module per peer.

Every peer builds the models of :mod:`inoxbench.shapes` from the same arrays and
offers the same operations (see :class:`Peer`). A process chooses its peers
(``--peers``); they are imported only then, since a released inox is called ``inox``
too. The peers of this checkout are :data:`CHECKOUT_PEERS`; a released inox that the
catalogue (``spec_tests/catalogue.bzl``) benchmarks has a module named after its peer.
"""

from __future__ import annotations

__all__ = ['CHECKOUT_PEERS', 'PEER_MODULES', 'Peer', 'Unsupported', 'exists', 'load']

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

import jax.tree_util as jtu

# Peer name -> module of this package that defines it in PEERS; a release's peer is the
# module of its own name.
PEER_MODULES = {
    'floor': 'floor',
    'module': 'ours',
    'scope': 'ours',
    'fast': 'fast',
    'bare_walk': 'bare_walk',
    'equinox': 'equinox_peer',
    'nnx': 'nnx_peer',
}

# The peers that a process of this checkout runs unless told otherwise, in this order.
CHECKOUT_PEERS = tuple(PEER_MODULES)


class Unsupported(Exception):
    r"""Raised by :meth:`Peer.build` for a shape that the peer cannot express."""


class Peer:
    r"""One implementation under benchmark.

    Subclasses build a model of a shape and run the benchmarked operations on it; a
    model is whatever :meth:`build` returns, and a *flat* form is whatever
    :meth:`flatten` returns.
    """

    name: str = ''
    library: str = ''  # the distribution whose version is recorded
    # The operations of the suite that the peer offers, the others being skipped; None
    # for all of them, so that a new operation runs for every peer that does not opt out.
    operations: tuple[str, ...] | None = None

    def build(self, shape: Any) -> Any:
        r"""Returns the model of ``shape``, or raises :class:`Unsupported`."""

        raise NotImplementedError

    def flatten(self, model: Any) -> Any:
        r"""Splits a model into its leaves and the rest, as JAX transformations do
        (by default with :func:`jax.tree_util.tree_flatten`)."""

        return jtu.tree_flatten(model)

    def unflatten(self, flat: Any) -> Any:
        r"""Rebuilds a model from the result of :meth:`flatten`."""

        leaves, treedef = flat
        return jtu.tree_unflatten(treedef, leaves)

    def leaves(self, flat: Any) -> list:
        r"""The array leaves of a result of :meth:`flatten`."""

        return flat[0]

    def partition(self, model: Any) -> Any:
        r"""Splits the parameters of a model from its definition and other arrays."""

        raise NotImplementedError

    def combine(self, parts: Any, /) -> Any:  # positional: a peer may reuse unflatten
        r"""Rebuilds a model from the result of :meth:`partition`."""

        raise NotImplementedError

    def jit_call(self, model: Any) -> tuple[Callable, tuple]:
        r"""A jitted function applying the first layer, and its arguments (the model
        and an input)."""

        raise NotImplementedError

    def grad_step(self, model: Any) -> tuple[Callable, tuple]:
        r"""A jitted gradient step on the partitioned parameters, and its arguments."""

        raise NotImplementedError

    def version(self) -> str | None:
        r"""The version of the benchmarked library."""

        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(self.library)
        except PackageNotFoundError:  # the checkout's inox is not installed
            return None


def exists(name: str) -> bool:
    r"""Whether a peer called ``name`` is defined, without importing it.

    Example:
        >>> exists('scope'), exists('inox_0_8_0'), exists('nowhere')
        (True, True, False)
    """

    return name in PEER_MODULES or importlib.util.find_spec(f'{__name__}.{name}') is not None


def load(name: str) -> Peer:
    r"""Imports and returns the peer called ``name``."""

    if not exists(name):
        raise KeyError(f'unknown peer {name!r}; known peers: {sorted(PEER_MODULES)} and the releases\' peers')
    module = importlib.import_module(f'{__name__}.{PEER_MODULES.get(name, name)}')
    return module.PEERS[name]
