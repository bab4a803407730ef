r"""Tree nodes that are neither modules nor builtin containers, as users' trees hold
them: named tuples of any fields, and two nodes registered with
:func:`jax.tree_util.register_pytree_with_keys` by this module ("foreign" nodes):
:class:`Box`, and :class:`Stack`, a tuple subclass; and, for contrast,
:class:`UnnamedTuple`, a tuple subclass that is not a node at all.

All keep their children in their own order, not sorted: a named tuple in the order
of its fields, a :class:`Box` in the order its attributes were given, a
:class:`Stack` last item first. All are reachable by name from this module in any
process, so that pickles of trees holding them load anywhere.

Example:
    >>> Point = record_class(('y', 'x'))
    >>> Point(1, 2), Point.__name__
    (Record_1y1x(y=1, x=2), 'Record_1y1x')
    >>> box = Box(('b', 'a'), (1, 2))
    >>> box.b, jax.tree_util.tree_flatten_with_path(box)[0]
    (1, [((GetAttrKey(name='b'),), 1), ((GetAttrKey(name='a'),), 2)])
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Sequence
from typing import Any

import jax

_RECORDS: dict[tuple[str, ...], type] = {}


def record_class(fields: Sequence[str]) -> type:
    r"""The named tuple class with these fields, in this order (one class per tuple
    of fields). Its name spells the fields, length first: ``Record_1y1x``."""

    fields = tuple(fields)
    cls = _RECORDS.get(fields)
    if cls is None:
        name = 'Record_' + ''.join(f'{len(f)}{f}' for f in fields)
        cls = _RECORDS[fields] = collections.namedtuple(name, fields, module=__name__)
    return cls


def __getattr__(name: str) -> type:
    r"""Pickle finds a record class by its name, in a process that never made it."""

    if not name.startswith('Record_'):
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    fields, rest = [], name[len('Record_') :]
    while rest:
        size = re.match(r'\d+', rest)
        if size is None:
            raise AttributeError(f'{name!r} does not spell the fields of a record')
        start = size.end()
        fields.append(rest[start : start + int(size.group())])
        rest = rest[start + int(size.group()) :]
    return record_class(fields)


class Box:
    r"""A JAX pytree node whose children are its attributes, in the order given.

    Arguments:
        names: The attribute names.
        values: Their values.
    """

    def __init__(self, names: Sequence[str], values: Iterable[Any]):
        self.__dict__.update(zip(names, values, strict=False))

    def __repr__(self) -> str:
        return 'Box(' + ', '.join(f'{k}={v!r}' for k, v in vars(self).items()) + ')'


def _flatten_with_keys(box: Box):
    items = vars(box)
    return [(jax.tree_util.GetAttrKey(k), v) for k, v in items.items()], tuple(items)


def _flatten(box: Box):
    items = vars(box)
    return list(items.values()), tuple(items)


jax.tree_util.register_pytree_with_keys(Box, _flatten_with_keys, Box, _flatten)


class Stack(tuple):
    r"""A subclass of :class:`tuple` without ``_fields`` that is registered with JAX,
    so a node: its registered flatten gives its items last first, each keyed by its
    index. A tree library that takes it apart as a tuple (first item first) or as a
    named tuple rather than by its registration gets its leaves in another order.

    Example:
        >>> jax.tree_util.tree_flatten_with_path(Stack((1, 2)))[0]
        [((SequenceKey(idx=1),), 2), ((SequenceKey(idx=0),), 1)]
        >>> jax.tree_util.tree_map(lambda x: 10 * x, Stack((1, 2)))
        Stack((10, 20))
    """

    def __repr__(self) -> str:
        return f'Stack({tuple(self)!r})'


def _stack_flatten_with_keys(stack: Stack):
    return [(jax.tree_util.SequenceKey(i), stack[i]) for i in reversed(range(len(stack)))], None


def _stack_flatten(stack: Stack):
    return list(reversed(stack)), None


def _stack_unflatten(_, children: Iterable[Any]) -> Stack:
    return Stack(reversed(list(children)))


jax.tree_util.register_pytree_with_keys(Stack, _stack_flatten_with_keys, _stack_unflatten, _stack_flatten)


class UnnamedTuple(tuple):
    r"""A subclass of :class:`tuple` without ``_fields``: JAX treats it as a leaf (only
    tuples and named tuples are nodes), so in a module it is a static value, not a
    container.

    Example:
        >>> jax.tree_util.tree_leaves([UnnamedTuple((1, 2))])
        [UnnamedTuple((1, 2))]
    """

    def __repr__(self) -> str:
        return f'UnnamedTuple({tuple(self)!r})'
