r"""Documents for representing trees, rendered without recursion.

A document is a string (one line) or a :class:`Block`: a head line, items on their own
indented lines, and a tail line. Nesting blocks costs nothing until :func:`render`
writes the lines once, so the cost of a representation is the size of its text.
"""

from __future__ import annotations

__all__ = [
    'Block',
    'Doc',
    'bracket',
    'render',
    'show_leaf',
    'wrap',
]

from typing import Any, NamedTuple


class Block(NamedTuple):
    r"""A head line, items one per indented line (separated by commas), a tail line."""

    head: str
    items: list[Doc]
    tail: str


Doc = str | Block


def wrap(before: str, doc: Doc, after: str = '') -> Doc:
    r"""Surrounds a document with text on its first and last lines.

    Example:
        >>> render(wrap('*', Block('A(', ['x'], ')'), '!'))
        '*A(\n  x\n)!'
    """

    if isinstance(doc, str):
        return before + doc + after
    return Block(before + doc.head, doc.items, doc.tail + after)


def bracket(bra: str, ket: str, items: list[Doc], linewidth: int = 88) -> Doc:
    r"""Lists items between brackets, on one line if they fit and have no block.

    Example:
        >>> bracket('[', ']', ['1', '2'])
        '[1, 2]'
        >>> render(bracket('[', ']', ['1', '2'], linewidth=4))
        '[\n  1,\n  2\n]'
    """

    lines = [x for x in items if isinstance(x, str)]
    if len(lines) == len(items) and sum(len(x) + 2 for x in lines) <= linewidth:
        return bra + ', '.join(lines) + ket
    return Block(bra, items, ket)


def render(doc: Doc) -> str:
    r"""Writes a document as text, indenting the items of blocks by two spaces."""

    lines = []
    stack = [(doc, 0, '')]  # document, depth, text after its last line
    while stack:
        doc, depth, after = stack.pop()
        pad = '  ' * depth
        if isinstance(doc, str):
            lines.append(pad + doc + after)
        elif not doc.items:
            lines.append(pad + doc.head + doc.tail + after)
        else:
            lines.append(pad + doc.head)
            stack.append((pad + doc.tail + after, 0, ''))
            last = len(doc.items) - 1
            for i in range(last, -1, -1):
                stack.append((doc.items[i], depth + 1, '' if i == last else ','))
    return '\n'.join(lines)


def show_leaf(x: Any, typeonly: bool = True, **kwargs) -> str:
    r"""Shows a leaf or a static value on one line: an array (anything with a shape and
    a dtype) as its dtype and shape when :py:`typeonly`, other values as their repr.

    Example:
        >>> show_leaf(jax.numpy.ones((2, 3))), show_leaf('relu')
        ('float32[2, 3]', "'relu'")
    """

    if typeonly and hasattr(x, 'shape') and hasattr(x, 'dtype'):
        return f'{x.dtype}{list(x.shape)}'
    return repr(x)
