r"""Paths of nodes and leaves, and their strings."""

from __future__ import annotations

__all__ = [
    'TreePath',
    'path_of',
    'pathstr',
    'shown',
]

from collections.abc import Sequence
from typing import Any

import jax.tree_util as jtu


class TreePath(tuple):
    r"""Path of a leaf inside an inox node, used as one JAX key entry.

    Its string is the concatenation of its entries' strings, which is what
    :func:`jax.tree_util.keystr` returns for the entries with its default arguments
    (not with :py:`simple=True`). It is the key of a leaf in a partition and of an
    entry in a state; messages print paths with :func:`pathstr`.

    Example:
        >>> path = TreePath((jax.tree_util.GetAttrKey('l1'), jax.tree_util.SequenceKey(0)))
        >>> path, str(path) == jax.tree_util.keystr(tuple(path))
        (TreePath('.l1[0]'), True)
    """

    __slots__ = ()

    def __str__(self) -> str:
        return ''.join(map(str, self))  # what jax.tree_util.keystr does, without a copy

    def __repr__(self) -> str:
        return f'TreePath({str(self)!r})'


def path_of(link: Any) -> TreePath:
    r"""Returns the path of the node at :py:`link`: a walk links each node to its
    parent as the pair :py:`(parent's link, key)`; the root's link is
    :py:`(None, None)`.

    Example:
        >>> root = (None, None)
        >>> path_of((root, jax.tree_util.GetAttrKey('a')))
        TreePath('.a')
    """

    keys = []
    while link is not None:
        link, key = link
        if key is not None:  # the root has no key
            keys.append(key)
    return TreePath(reversed(keys))


def pathstr(path: Sequence) -> str:
    r"""Returns the printable form of a path; the root is :py:`'<root>'`.

    Example:
        >>> pathstr(()), pathstr((jax.tree_util.GetAttrKey('a'),))
        ('<root>', '.a')
    """

    return jtu.keystr(tuple(path)) or '<root>'


def shown(path: str) -> str:
    r"""Returns the printable form of a path string (:py:`str(TreePath)`, what errors
    carry in their :py:`paths`); the root's, empty, is :py:`'<root>'`.

    Example:
        >>> shown(''), shown('.a[0]')
        ('<root>', '.a[0]')
    """

    return path or '<root>'
