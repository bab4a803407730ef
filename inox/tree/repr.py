r"""Readable representations of trees."""

from __future__ import annotations

__all__ = ['tree_repr']

from typing import Any

from ..pretty import render, show_leaf
from .kinds import KINDS
from .walk import flatten, fold


def tree_repr(tree: Any, linewidth: int = 88, typeonly: bool = True) -> str:
    r"""Creates a readable representation of a tree, without recursion.

    Arrays are shown as their dtype and shape. A
    :class:`~inox.nn.share.Reference` is shown as its value preceded by ``*`` the
    first time and as ``@tag`` after that.

    Arguments:
        tree: The tree to represent.
        linewidth: The width past which elements go on separate lines.
        typeonly: Whether to show only the dtype and shape of arrays.

    Example:
        >>> print(tree_repr({'a': jax.numpy.ones((2, 3)), 'b': [1, 'two']}))
        {'a': float32[2, 3], 'b': [1, 'two']}
    """

    kwargs = {'linewidth': linewidth, 'typeonly': typeonly}
    flat = flatten(tree, lenient=True)
    leaves = [show_leaf(leaf, **kwargs) for leaf in flat.leaves]

    def show_of(cls):
        show = KINDS[cls].show
        return lambda aux, children, kwargs: show(aux, children, **kwargs)  # pyright: ignore[reportOptionalCall] (every record class has one)

    doc = fold(flat.structure, leaves, show_of, kwargs)
    return render(doc)
