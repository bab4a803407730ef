r"""The node protocol: how a class makes its objects nodes of trees.

A node class implements :class:`NodeProtocol`; subclassing :class:`Node` registers it
with the walk (see :mod:`inox.tree.kinds`) and with JAX when the class is created,
after checking that it does.
"""

from __future__ import annotations

__all__ = [
    'REBUILDS',
    'Node',
    'NodeProtocol',
    'NodeProtocolError',
    'register',
]

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol, runtime_checkable

import jax.tree_util as jtu

from ..pretty import Doc
from .kinds import KINDS, Kind
from .repr import tree_repr
from .walk import Structure, Walk, flatten, unflatten

#: What rebuilds a tree whose root is of a registered class, by class: the ``rebuild``
#: given to :func:`register`, which JAX's unflatten calls; a partition's definition
#: rebuilds its tree by the same (see :class:`~inox.tree.PartitionDef`).
REBUILDS: dict[type, Callable[[Structure, Any], Any]] = {}


class NodeProtocolError(TypeError):
    r"""Raised when a :class:`Node` subclass is created without a method of the node
    protocol (see :class:`NodeProtocol`)."""


@runtime_checkable
class NodeProtocol(Protocol):
    r"""The methods by which the walk takes a node class's objects apart, builds them
    back and shows them; every :class:`Node` subclass has them.

    :py:`__tree_flatten__(walk)` returns :py:`(keys, children, aux)`: the JAX keys of
    the children, the children, and hashable auxiliary data. The class methods get
    that :py:`aux` back with the children rebuilt (or shown, as documents of
    :mod:`inox.pretty`); :py:`shared` is a dict that lives as long as one
    :func:`unflatten` call. Optionally, :py:`__tree_context__(self, walk)` returns the
    :py:`walk.context` that the node's children see, and :py:`__tree_tags__(self)` the
    tags that errors name the node by (a :class:`~inox.tree.CycleError`).

    Example:
        >>> isinstance(nn.Module(), NodeProtocol), isinstance([], NodeProtocol)
        (True, False)
    """

    def __tree_flatten__(self, walk: Walk) -> tuple[Sequence[Any], Sequence[Any], Hashable]: ...

    @classmethod
    def __tree_unflatten__(cls, aux: Any, children: list, shared: dict) -> Any: ...

    @classmethod
    def __tree_repr__(cls, aux: Any, children: list[Doc], **kwargs) -> Doc: ...


_PROTOCOL = ('__tree_flatten__', '__tree_unflatten__', '__tree_repr__')


def register(
    cls: type,
    flatten_leaves: Callable[[Any], tuple[list, Structure]] | None = None,
    rebuild: Callable[[Structure, Any], Any] = unflatten,
) -> None:
    r"""Makes a class that implements :class:`NodeProtocol` known to the walk and to
    JAX; :class:`Node` subclasses are registered when they are created.

    Arguments:
        cls: The class.
        flatten_leaves: What JAX's flatten without paths calls: an object to its
            leaves and :class:`Structure` (by default this walk's :func:`flatten`). A
            second implementation of the walk (:mod:`inox.fast`) gives its own; both
            make the same structures, so either one's output folds back with the other.
        rebuild: What JAX's unflatten calls (by default :func:`unflatten`).

    Raises:
        NodeProtocolError: If a method of the protocol is missing or not callable.
    """

    missing = [name for name in _PROTOCOL if not callable(getattr(cls, name, None))]
    if missing:
        raise NodeProtocolError(
            f'{cls.__module__}.{cls.__qualname__} does not define {", ".join(missing)}: '
            f'a node class needs all of {", ".join(_PROTOCOL)} (see NodeProtocol)'
        )
    KINDS[cls] = Kind(
        cls.__tree_flatten__,
        cls.__tree_unflatten__,
        cls.__tree_repr__,
        getattr(cls, '__tree_context__', None),
    )

    def flatten_with_keys(x):
        flat = flatten(x, with_paths=True)
        return list(zip(flat.paths, flat.leaves, strict=True)), flat.structure

    def walk_leaves(x):
        flat = flatten(x)
        return flat.leaves, flat.structure

    jtu.register_pytree_with_keys(cls, flatten_with_keys, rebuild, flatten_leaves or walk_leaves)
    REBUILDS[cls] = rebuild


class Node:
    r"""Base of the node classes that the walk knows natively; each is a JAX pytree
    node whose children are the leaves of its whole subtree.

    A subclass implements :class:`NodeProtocol`, checked when it is created.

    Example:
        >>> class Half(Node):  # doctest: +ELLIPSIS
        ...     def __tree_flatten__(self, walk):
        ...         return (), (), None
        Traceback (most recent call last):
        ...
        inox.tree.node.NodeProtocolError: inox.tree.node.Half does not define __tree_unflatten__, __tree_repr__: ...
    """

    __slots__ = ()

    #: How each subclass is registered when it is created: :func:`register`; the node
    #: classes of :mod:`inox.fast` register with that implementation's walk instead.
    __tree_register__: Callable[[type], None] = staticmethod(register)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__tree_register__(cls)

    def __tree_tags__(self) -> tuple:
        r"""The tags that errors name this node by: none."""

        return ()

    def __repr__(self) -> str:
        return tree_repr(self)

    def __reduce__(self):
        flat = flatten(self)
        return unflatten, (flat.structure, flat.leaves)
