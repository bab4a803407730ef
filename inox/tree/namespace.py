r"""The node whose branches are its attributes."""

from __future__ import annotations

__all__ = ['Namespace']

import functools
from typing import TYPE_CHECKING, Any

import jax.tree_util as jtu

from ..pretty import Block, Doc, wrap
from .node import Node
from .walk import Walk


class Namespace(Node):
    r"""Tree node whose branches are its attributes, visited sorted by name.

    Arguments:
        kwargs: A name-value mapping.

    Example:
        >>> tree = Namespace(b=jax.numpy.zeros(2), a=1)
        >>> tree
        Namespace(
          a = 1,
          b = float32[2]
        )
        >>> jax.tree_util.tree_leaves(tree)  # the non-array value is static
        [Array([0., 0.], dtype=float32)]
    """

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    if TYPE_CHECKING:  # a namespace's attributes are whatever it is given

        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...

    def __tree_flatten__(self, walk: Walk):
        attributes = self.__dict__
        names, keys = _layout(tuple(attributes))
        return keys, [attributes[name] for name in names], names

    @classmethod
    def __tree_unflatten__(cls, names: tuple, children: list, shared: dict):
        self = object.__new__(cls)
        attributes = self.__dict__
        # Item by item: dict.update of the pairs would unpack each through the generic
        # sequence protocol, a third of the time here. One child per name by construction:
        # zip does not check it (strict= costs time on every node).
        for name, child in zip(names, children):  # noqa: B905
            attributes[name] = child
        return self

    @classmethod
    def __tree_repr__(cls, names: tuple, children: list[Doc], **kwargs) -> Doc:
        items = [wrap(f'{n} = ', c) for n, c in zip(names, children, strict=True)]
        return Block(f'{cls.__name__}(', items, ')')


@functools.lru_cache(maxsize=4096)
def _layout(names: tuple) -> tuple:
    r"""The attribute names in flatten order, and their JAX keys (made once per layout,
    as modules of one class share few layouts)."""

    ordered = tuple(sorted(names))
    return ordered, [jtu.GetAttrKey(name) for name in ordered]
