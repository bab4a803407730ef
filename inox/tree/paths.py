r"""Paths of nodes and leaves, and their strings."""

from __future__ import annotations

__all__ = [
    'TreePath',
    'path_of',
    'path_strings',
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


# Prefixes longer than this are not kept by path_strings: past it, a path is joined from
# its pieces, so that a line thousands of levels deep costs its length, not its square.
_KEPT_PREFIX = 256


def path_strings(links: Sequence[Any]) -> list[str]:
    r"""Returns the path strings of the nodes at :py:`links` (as :py:`str(path_of(link))`),
    making each ancestor's string once: the leaves below one node share its prefix
    instead of each rebuilding it key by key (a partition has a key per leaf).

    Example:
        >>> root = (None, None)
        >>> a = (root, jax.tree_util.GetAttrKey('a'))
        >>> path_strings([(a, jax.tree_util.SequenceKey(0)), (a, jax.tree_util.SequenceKey(1)), root])
        ['.a[0]', '.a[1]', '']
    """

    made: dict[int, str] = {}  # by id: a link's hash would walk its whole chain
    strings = []
    for link in links:
        chain = []  # the ancestors not made yet, nearest first
        while link is not None and id(link) not in made:
            chain.append(link)
            link = link[0]
        text, rest = ('' if link is None else made[id(link)]), []
        for link in reversed(chain):
            piece = '' if link[1] is None else str(link[1])  # the root has no key
            if rest or len(text) >= _KEPT_PREFIX:
                rest.append(piece)
            else:
                text += piece
                made[id(link)] = text
        strings.append(text + ''.join(rest) if rest else text)
    return strings


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
