r"""Adapter of Equinox (0.13): the suite's graphs in Equinox's own idiom.

Equinox modules are immutable dataclasses and JAX pytrees. A module with attributes K is
an instance of an ``eqx.Module`` subclass whose fields are K (one class per sequence of
names, fields in the graph's order of attributes, as a user declares them; SPEC.md's
flatten order sorts them), built after everything it holds; lists, dicts and tuples stay
Python containers. Equinox has no tags and no Reference: a tie is ``eqx.nn.Shared``,
which stores the tied value once, at its canonical position, and writes it back into the
other positions when called. The adapter wraps the root of a tree that has ties in
Shareds (:meth:`EquinoxAdapter.tie`), and the suite reads the tree that calling them
gives, as a user does (:meth:`EquinoxAdapter.view`). A tree cannot contain itself, so a
graph with a cycle cannot be built (:class:`~spec_tests.adapters.base.Unbuildable`).

``partition`` is ``eqx.partition`` (arrays from the rest, then the arrays by filter, each
as a dict from its path string to the array), ``combine`` is ``eqx.combine``, and the
transformations are ``eqx.filter_jit``, ``eqx.filter_grad`` and ``eqx.filter_vmap``. Where
a property applies ``jax.tree_util`` or ``jax.jit`` to a module directly, it sees what a
user of raw JAX sees: the Shared, its stored tree and its placeholders.

Example:
    >>> import jax.numpy as jnp
    >>> from spec_tests.graphs.graph import Step
    >>> p = ADAPTER.Parameter(jnp.ones(2))
    >>> root = ADAPTER.tie(ADAPTER.module('module', {'a': p, 'b': p}), [((Step('attr', 'a'),), [(Step('attr', 'b'),)])])
    >>> type(root).__name__, type(ADAPTER.view(root)).__name__
    ('Shared', 'Module_1a1b')
    >>> static, arrays = ADAPTER.partition(root)
    >>> sorted(arrays)
    ['.pytree.a.value']
    >>> again = ADAPTER.view(ADAPTER.combine(static, arrays))
    >>> again.a.value is again.b.value
    True
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any

import equinox as eqx
import jax

from .base import Adapter
from .spelling import spell, unspell


class Module(eqx.Module):
    r"""A module of the suite's graphs: the base of one class per set of attribute names
    (:func:`module_class`)."""


class Scope(Module):
    r"""A Scope: Equinox has no tags, hence no tag namespaces, and a Scope is a module."""


class Parameter(eqx.Module):
    r"""A Parameter: a module that holds its array in ``value``."""

    value: Any


class StateEntry(eqx.Module):
    r"""A StateEntry: Equinox has no state entries of its own, so a module holding its value."""

    value: Any


_BASES = {'Module': Module, 'Scope': Scope}


@functools.cache
def module_class(base: str, names: tuple[str, ...]) -> type:
    r"""The subclass of ``base`` (``'Module'`` or ``'Scope'``) whose fields are ``names``,
    in that order, made once. Its name spells both, each name after its length, so that
    pickle finds it by name in this module (:func:`__getattr__`), also in a process that
    never made it, as it finds the classes a user of Equinox writes.

    Example:
        >>> cls = module_class('Module', ('a', 'b2'))
        >>> cls.__name__, cls(a=1, b2=2)
        ('Module_1a2b2', Module_1a2b2(a=1, b2=2))
    """

    name = f'{base}_' + spell(names)
    namespace = {'__annotations__': dict.fromkeys(names, Any), '__module__': __name__, '__qualname__': name}
    return type(name, (_BASES[base],), namespace)


def __getattr__(name: str) -> type:
    r"""The class :func:`module_class` names ``name`` (the graphs' names start with a letter)."""

    base, underscore, spelt = name.partition('_')
    names = unspell(spelt)
    if base not in _BASES or not underscore or names is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return module_class(base, tuple(names))


def _module(kind: str, attributes: dict[str, Any]) -> Module:
    return module_class(kind.capitalize(), tuple(attributes))(**attributes)


def _fields(obj: Any) -> dict[str, Any]:
    return {field.name: getattr(obj, field.name) for field in dataclasses.fields(obj)}


class Positions(eqx.Module):
    r"""The nodes at ``paths`` below a tree, after ``depth`` steps into the ``pytree`` of
    Shareds around it: the ``where`` and ``get`` of a Shared. A module of static fields,
    so it is part of the tree definition, holds no leaf, and pickles.

    Example:
        >>> Positions(((('item', 1),),))(['a', ('b', 'c')])
        [('b', 'c')]
    """

    paths: tuple[tuple[tuple[str, Hashable], ...], ...] = eqx.field(static=True)
    depth: int = eqx.field(static=True, default=0)

    def __call__(self, tree: Any) -> list:
        for _ in range(self.depth):
            tree = tree.pytree
        return [functools.reduce(_step, path, tree) for path in self.paths]


def _step(node: Any, step: tuple[str, Hashable]) -> Any:
    kind, key = step
    return getattr(node, str(key)) if kind == 'attr' else node[key]  # an attribute's key is its name


def _plain(path: tuple) -> tuple[tuple[str, Hashable], ...]:
    r"""A path of the suite's Steps as plain pairs; a Reference is its value, no step."""

    return tuple((step.kind, step.key) for step in path if step.kind != 'deref')


def _layers(ties: list[tuple[tuple, list[tuple]]]) -> list[list[tuple[tuple, list[tuple]]]]:
    r"""The ties in the order they must be written back: a tie whose canonical value
    holds a pruned position of another, or is one (a tie of a tie: a Reference adds no
    step to a path), comes after it (a Shared writes back what it stores, placeholders
    of other ties included).

    Example:
        >>> outer = (('a',), [('b',)])
        >>> inner = (('c',), [('a', 'x')])
        >>> _layers([outer, inner]) == [[inner], [outer]]
        True
        >>> of_a_tie = (('c',), [('a',)])
        >>> _layers([outer, of_a_tie]) == [[of_a_tie], [outer]]
        True
    """

    def inside(path: tuple, canonical: tuple) -> bool:
        return path[: len(canonical)] == canonical

    layer: dict[int, int] = {}

    def of(n: int) -> int:
        if n not in layer:
            canonical = ties[n][0]
            below = [of(m) for m, (_, pruned) in enumerate(ties) if any(inside(p, canonical) for p in pruned)]
            layer[n] = 1 + max(below, default=0)
        return layer[n]

    count = max(map(of, range(len(ties))), default=0)
    return [[tie for n, tie in enumerate(ties) if of(n) == k] for k in range(1, count + 1)]


@dataclasses.dataclass(frozen=True, eq=False)
class Static:
    r"""What ``partition`` gives to rebuild a module: the static part of
    ``eqx.partition(tree, eqx.is_array)`` (:py:`None` at the arrays) and, for each array,
    its slot among the leaves of that part (where :py:`None` counts as a leaf) and its
    path string. Equal when the static parts have one tree definition and equal leaves.
    """

    rest: Any
    slots: tuple[tuple[int, str], ...]

    def _identity(self) -> tuple:
        leaves, treedef = jax.tree_util.tree_flatten(self.rest)
        return treedef, tuple(leaves), self.slots

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Static) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


def _is_none(x: Any) -> bool:
    return x is None


class EquinoxAdapter(Adapter):
    r"""Equinox: immutable modules, ties by ``eqx.nn.Shared``, no tags."""

    name = 'equinox'
    Module = Module
    Scope = Scope
    Parameter = Parameter
    Reference = None  # a tie is eqx.nn.Shared around the tree, not an object at the position
    StateEntry = StateEntry
    reference_key = ''
    immutable = True
    # Equinox has no error classes of its own for these: each is the builtin SPEC.md requires.
    not_applicable = {
        'SHARE-TAG-HASHABLE': 'Equinox has no tags: a tie is eqx.nn.Shared with the positions it ties',
        'SHARE-SCOPE-NAMESPACE': 'Equinox has no tags, hence no tag namespaces',
        'SHARE-TAG-CONFLICT': 'Equinox has no tags: a Shared names the positions it ties, never two values',
        'SHARE-ALIAS': 'Equinox has no tags: one object cannot be held under two of them',
        'SHARE-SELF-SCOPE': 'Equinox has no Scope, and an immutable module cannot contain itself',
        'SHARE-UNSCOPED': 'Equinox has no Scope: no position is outside one',
        'SHARE-FORWARD': 'Equinox has no Reference object to forward from: a tie is eqx.nn.Shared',
        'SHARE-CYCLES': 'Equinox modules are immutable pytrees built from their fields: no tree holds a cycle',
        'TREE-CYCLE-ERROR': 'Equinox modules are immutable pytrees built from their fields: no tree holds a cycle',
    }

    def __init__(self):
        self._last_view = threading.local()

    def __reduce__(self) -> str:
        return 'ADAPTER'  # pickled by name for the bounded worker, without its per-thread view

    def version(self) -> str:
        return eqx.__version__

    def module(self, kind: str, attributes: dict[str, Any]) -> Any:
        return _module(kind, attributes)

    def reference(self, tag: Hashable, value: Any) -> Any:
        return value  # the tie is made on the whole tree (tie), where Equinox makes it

    def deref(self, ref: Any) -> Any:
        return ref

    def attributes(self, obj: Any) -> dict[str, Any]:
        return _fields(obj)

    def tie(self, root: Any, ties: list[tuple[tuple, list[tuple]]]) -> Any:
        r"""``root`` in one ``eqx.nn.Shared`` per layer of :func:`_layers`, the first
        layer outermost (calling it writes its ties back first); each ``where`` selects
        the pruned positions of its ties, each ``get`` their canonical ones."""

        layers = _layers([(_plain(canonical), [_plain(p) for p in pruned]) for canonical, pruned in ties])
        tree = root
        for depth, layer in enumerate(reversed(layers)):
            where = Positions(tuple(p for _, pruned in layer for p in pruned), depth)
            get = Positions(tuple(canonical for canonical, pruned in layer for _ in pruned), depth)
            tree = eqx.nn.Shared(tree, where, get)
        return tree

    def view(self, root: Any) -> Any:
        r"""The tree that calling the Shareds around ``root`` gives. The last one is kept
        (per thread), as a user keeps ``model = shared()`` for a pass: each call builds
        new modules, and the suite compares the objects it reads at several paths."""

        last = getattr(self._last_view, 'pair', None)
        if last is not None and last[0] is root:
            return last[1]
        tree = root
        while isinstance(tree, eqx.nn.Shared):
            tree = tree()
        self._last_view.pair = (root, tree)
        return tree

    def partition(self, tree: Any, *filters: Any) -> tuple:
        r"""``eqx.partition(tree, eqx.is_array)``, then the arrays by ``filters`` with
        ``eqx.filter``: each node that some filter selects, nearest the root, goes whole
        to the first filter that selects it; the last partition holds the rest. Each
        partition maps the path strings of its arrays to them."""

        arrays, rest = eqx.partition(tree, eqx.is_array)
        predicates = [_predicate(f) for f in filters]

        def selected(x: Any) -> bool:
            return any(p(x) for p in predicates)

        def first(n: int | None) -> Callable[[Any], bool]:
            return lambda x: next((m for m, p in enumerate(predicates) if p(x)), None) == n

        parts = [eqx.filter(arrays, first(n), is_leaf=selected) for n in range(len(predicates))]
        parts.append(eqx.filter(arrays, first(None), is_leaf=selected))
        with_paths = jax.tree_util.tree_flatten_with_path(tree, is_leaf=_is_none)[0]
        slots = tuple((n, jax.tree_util.keystr(path)) for n, (path, x) in enumerate(with_paths) if eqx.is_array(x))
        static = Static(rest, slots)
        return (static, *({jax.tree_util.keystr(p): x for p, x in _array_paths(part)} for part in parts))

    def combine(self, static: Static, *partitions: dict[str, Any]) -> Any:
        r"""``eqx.combine`` of the arrays that ``partitions`` give (each at the position its
        key names) and the rest that ``partition`` kept."""

        given = {key: value for partition in partitions for key, value in partition.items()}
        missing = [key for _, key in static.slots if key not in given]
        if missing:  # the adapter's own step, keys to positions: eqx.combine has no keys
            raise KeyError(f'missing keys: {", ".join(missing)}')
        leaves, treedef = jax.tree_util.tree_flatten(static.rest, is_leaf=_is_none)
        arrays: list[Any] = [None] * len(leaves)
        for n, key in static.slots:
            arrays[n] = given[key]
        return eqx.combine(jax.tree_util.tree_unflatten(treedef, arrays), static.rest)

    def jit(self, f: Callable) -> Callable:
        return eqx.filter_jit(f)

    def grad(self, f: Callable) -> Callable:
        return eqx.filter_grad(f)

    def vmap(self, f: Callable) -> Callable:
        return eqx.filter_vmap(f)

    def export_state(self, tree):
        raise NotImplementedError('Equinox has no export_state: its state lives in eqx.nn.State')

    def update_state(self, state, mutation):
        raise NotImplementedError('Equinox has no update_state: eqx.nn.State.set gives a new state')


def _predicate(spec: Any) -> Any:
    r"""An ``eqx.filter`` predicate for the suite's filter ``spec``: a type means
    ``isinstance``; anything else goes to Equinox as it is."""

    if isinstance(spec, type):
        return lambda x: isinstance(x, spec)
    return spec


def _array_paths(tree: Any) -> list[tuple]:
    return [(path, x) for path, x in jax.tree_util.tree_flatten_with_path(tree)[0] if eqx.is_array(x)]


ADAPTER = EquinoxAdapter()
