r"""How the walk handles each class of value: the kinds, their registry, and the kinds
of the values that inox does not define (arrays, static values, lists, tuples, dicts,
named tuples and other JAX nodes).

The registry is keyed by class. It holds Python's containers from the start;
:class:`inox.tree.Node` subclasses enter it when they are created; named tuples and
other JAX nodes enter it from their class alone, so that a process that never
flattened one can unflatten it.

A kind says how to take a value apart (:py:`flatten`), how to build it back from its
record (:py:`build`), how to show it (:py:`show`) and which context its children see
(:py:`context`, see :class:`inox.tree.Walk`). Leaves and static values have no
children: their kinds have no :py:`flatten`.
"""

from __future__ import annotations

__all__ = [
    'LEAF',
    'STATIC',
    'Kind',
    'Static',
    'StaticValue',
    'KINDS',
    'Registry',
    'foreign_kind',
    'is_array',
    'is_node',
    'kind_of',
]

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jax
import jax.tree_util as jtu
import numpy as np

from ..pretty import Doc, bracket, show_leaf, wrap

if TYPE_CHECKING:
    from .walk import Walk


def is_array(x: Any) -> bool:
    r"""Returns whether :py:`x` is an array, that is a leaf of a tree.

    Example:
        >>> is_array(jax.numpy.zeros(3)), is_array(3.0)
        (True, False)
    """

    return isinstance(x, (jax.Array, np.ndarray, np.generic))


class Kind:
    r"""How the walk handles one class. The kinds without children, :data:`LEAF` and
    :data:`STATIC`, have no :py:`flatten`; the walk tells them apart by identity.

    Example:
        >>> LEAF is STATIC, LEAF.flatten, KINDS[list].flatten is not None
        (False, None, True)
    """

    __slots__ = ('flatten', 'build', 'show', 'context')

    def __init__(
        self,
        flatten: Callable | None = None,
        build: Callable | None = None,
        show: Callable | None = None,
        context: Callable | None = None,
    ):
        self.flatten = flatten
        self.build = build
        self.show = show
        self.context = context


#: The kind of arrays, the leaves.
LEAF = Kind()
#: The kind of values kept in the structure.
STATIC = Kind()


class Static:
    r"""Wraps a value to keep it in the structure of a tree instead of its leaves.

    Non-array values are static anyway; wrap a value explicitly to make an array
    static, or to keep a value out of the leaves of a plain JAX container.
    Hashable values compare by equality, others by identity.

    Example:
        >>> jax.tree_util.tree_leaves([Static('relu'), jax.numpy.ones(2)])
        [Array([1., 1.], dtype=float32)]
    """

    __slots__ = ('value',)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Static):
            return NotImplemented
        if self.value is other.value:
            return True
        if type(self.value) is not type(other.value) or is_array(self.value):
            return False
        try:
            hash(self.value)
        except TypeError:
            return False
        return bool(self.value == other.value)

    def __hash__(self) -> int:
        try:
            return hash((type(self.value), self.value))
        except TypeError:
            return id(self.value)

    def __repr__(self) -> str:
        return f'Static({self.value!r})'

    def __tree_flatten__(self, walk: Walk):
        return (), (), self

    @classmethod
    def __tree_unflatten__(cls, aux: Static, children: list, shared: dict) -> Static:
        return aux

    @classmethod
    def __tree_repr__(cls, aux: Static, children: list[Doc], **kwargs) -> Doc:
        return wrap('Static(', show_leaf(aux.value, **kwargs), ')')


# Static is a node without children, registered here beside its definition: with the
# walk in KINDS below, and with JAX directly (no walk needed for a node without children).
jtu.register_pytree_with_keys(
    Static,
    lambda x: ((), x),
    lambda aux, children: aux,
    lambda x: ((), x),
)


class StaticValue:
    r"""The record class of a value that is static without being wrapped: its record
    holds the value in a :class:`Static`, and it unflattens and shows as the value
    itself.

    Example:
        >>> StaticValue.__tree_unflatten__(Static('relu'), [], {})
        'relu'
    """

    __slots__ = ()

    @classmethod
    def __tree_unflatten__(cls, aux: Static, children: list, shared: dict) -> Any:
        return aux.value

    @classmethod
    def __tree_repr__(cls, aux: Static, children: list[Doc], **kwargs) -> Doc:
        return show_leaf(aux.value, **kwargs)


def _sequence_flatten(x, walk):
    return [jtu.SequenceKey(i) for i in range(len(x))], x, None


def _namedtuple_flatten(x, walk):
    return [jtu.GetAttrKey(f) for f in x._fields], x, None


def _dict_flatten(x, walk):
    keys = sorted(x)
    return [jtu.DictKey(k) for k in keys], [x[k] for k in keys], tuple(keys)


def _foreign_flatten(x, walk):
    seen_root = []

    def below_root(y):  # flattens exactly one level
        if seen_root:
            return True
        seen_root.append(y)
        return False

    pairs, treedef = jtu.tree_flatten_with_path(x, is_leaf=below_root)
    return [path[0] for path, _ in pairs], [child for _, child in pairs], treedef


def _shows(bra, ket):
    return lambda aux, children, linewidth=88, **kwargs: bracket(bra, ket, children, linewidth)


def _show_dict(keys, children, linewidth=88, **kwargs):
    items = [wrap(f'{k!r}: ', c) for k, c in zip(keys, children, strict=True)]
    return bracket('{', '}', items, linewidth)


def foreign_kind(cls: type) -> Kind:
    r"""The kind of a named tuple class or of another node class registered with JAX,
    from the class alone.

    Example:
        >>> from collections import namedtuple
        >>> foreign_kind(namedtuple('Pair', 'a b')).build(None, [1, 2], {})
        Pair(a=1, b=2)
    """

    show = _shows(f'{cls.__name__}(', ')')
    if issubclass(cls, tuple) and hasattr(cls, '_fields'):
        return Kind(_namedtuple_flatten, lambda aux, ch, sh: cls(*ch), show)
    # a node registered with JAX: the structure holds its JAX tree definition
    return Kind(_foreign_flatten, lambda treedef, ch, sh: treedef.unflatten(ch), show)


class Registry(dict[type, Kind]):
    r"""The kind of each class met or created so far. A class not met yet is resolved
    from the class alone (:func:`foreign_kind`): unflatten meets classes, not
    instances, and must know them in a process that never flattened one (a pickle
    loaded elsewhere).

    Example:
        >>> from collections import namedtuple
        >>> Pair = namedtuple('Pair', 'a b')
        >>> Pair in KINDS, KINDS[Pair].build(None, [1, 2], {}), Pair in KINDS
        (False, Pair(a=1, b=2), True)
    """

    def __missing__(self, cls: type) -> Kind:
        kind = self[cls] = foreign_kind(cls)
        return kind


# The registry, with Python's containers, Static and the record of unwrapped static
# values from the start.
KINDS = Registry(
    {
        list: Kind(_sequence_flatten, lambda aux, ch, sh: list(ch), _shows('[', ']')),
        tuple: Kind(_sequence_flatten, lambda aux, ch, sh: tuple(ch), _shows('(', ')')),
        dict: Kind(_dict_flatten, lambda aux, ch, sh: dict(zip(aux, ch, strict=True)), _show_dict),
        StaticValue: Kind(None, StaticValue.__tree_unflatten__, StaticValue.__tree_repr__),
        Static: Kind(Static.__tree_flatten__, Static.__tree_unflatten__, Static.__tree_repr__),
        type(None): STATIC,
    }
)


def kind_of(x: Any) -> Kind:
    r"""Returns the kind of a value, registering that of its class if new."""

    kind = KINDS.get(type(x))
    if kind is None:
        kind = KINDS[type(x)] = _new_kind(x)
    return kind


def _new_kind(x: Any) -> Kind:
    if is_array(x):
        return LEAF
    if isinstance(x, tuple) and hasattr(type(x), '_fields') or not jtu.all_leaves([x]):
        return KINDS[type(x)]
    return STATIC


def is_node(x: Any) -> bool:
    r"""Returns whether :py:`x` is a node of a tree, that is neither a leaf nor a
    static value (wrapped in :class:`Static` or not).

    Example:
        >>> is_node([1]), is_node(jax.numpy.zeros(1)), is_node('a'), is_node(Static([1]))
        (True, False, False, False)
    """

    return kind_of(x).flatten is not None and not isinstance(x, Static)
