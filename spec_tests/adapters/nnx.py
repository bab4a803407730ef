r"""Adapter of Flax NNX (0.12, graph mode): the suite's graphs in NNX's own idiom.

NNX ties weights by Python identity, not by tags: a module holds one ``nnx.Param``
object at several positions, and ``nnx.split`` / ``nnx.merge`` keep it one object. So a
Reference is the tied object itself (:meth:`NNXAdapter.reference` returns its value, and
a Reference adds no step to a path), a Scope is a plain ``nnx.Module``, lists and dicts
of nodes are ``nnx.List`` and ``nnx.Dict`` (NNX refuses plain ones holding data as
attributes), ``partition`` is ``nnx.split`` and ``combine`` is ``nnx.merge``, and the
transformations are ``nnx.jit``, ``nnx.grad`` and ``nnx.vmap``. Where a property applies
``jax.tree_util`` or ``jax.jit`` to a module directly, it sees what a user of raw JAX
sees: an ``nnx.Module`` is a JAX pytree that knows nothing of identity.

Example:
    >>> import jax.numpy as jnp
    >>> module = ADAPTER.Module()
    >>> module.a = module.b = ADAPTER.reference('t', ADAPTER.Parameter(jnp.ones(2)))
    >>> static, params = ADAPTER.partition(module)
    >>> sorted(params)
    ['.a.value']
    >>> again = ADAPTER.combine(static, params)
    >>> again.a is again.b
    True
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Hashable
from typing import Any

import flax
import jax
from flax import nnx

from .base import Adapter


class _MarksData(nnx.Pytree):
    r"""Marks ``nnx.data`` a value that is a plain pytree holding data (a tuple of
    Parameters, say), as NNX's own error message asks of its users: otherwise NNX
    refuses it, as a static attribute (or item of an ``nnx.List`` or ``nnx.Dict``) that
    holds data."""

    def __setattr__(self, name: str, value: Any) -> None:
        if not nnx.is_data(value) and nnx.has_data(value):
            value = nnx.data(value)
        super().__setattr__(name, value)


class Module(_MarksData, nnx.Module):
    r"""A module of the suite's graphs."""


class List(_MarksData, nnx.List):
    r"""A list of the suite's graphs."""


class Dict(_MarksData, nnx.Dict):
    r"""A dict of the suite's graphs."""


class Scope(Module):
    r"""A Scope: NNX has no tags, hence no tag namespaces, and a Scope is a module."""


@dataclasses.dataclass(frozen=True)
class Static:
    r"""What ``partition`` gives to rebuild a module: NNX's ``GraphDef`` and, for each
    state entry in the suite's path strings, NNX's own path and the Variable that held it
    (its type and metadata wrap the array given back; :py:`None` for a bare array)."""

    graphdef: Any
    entries: tuple[tuple[str, tuple, Any], ...] = dataclasses.field(compare=False, hash=False)
    #: The part of ``entries`` that is structure: keys and Variable types.
    layout: tuple[tuple[str, tuple, type | None], ...] = ()


class NNXAdapter(Adapter):
    r"""Flax NNX in graph mode: ties by identity, no tags."""

    name = 'nnx'
    Module = Module
    Scope = Scope
    Parameter = nnx.Param
    Reference = None  # a tie is the shared object itself
    List = List
    Dict = Dict
    StateEntry = nnx.Variable
    reference_key = ''
    # NNX's graph nodes: one object at two positions is a tie. Arrays are values, never tied.
    identity_ties = frozenset({'module', 'scope', 'list', 'dict', 'param', 'entry'})
    # NNX has no error classes of its own for these: each is the builtin SPEC.md requires.
    not_applicable = {
        'SHARE-TAG-HASHABLE': 'NNX has no tags: a tie is the shared object itself',
        'SHARE-SCOPE-NAMESPACE': 'NNX has no tags, hence no tag namespaces: identity is global to the module',
        'SHARE-TAG-CONFLICT': 'NNX has no tags: two objects are never claimed to be one',
        'SHARE-ALIAS': 'NNX has no tags: one object cannot be held under two of them',
        'SHARE-SELF-SCOPE': 'NNX has no Scope: a module that contains itself is a cycle, which NNX restores',
        'SHARE-UNSCOPED': 'NNX has no Scope: no position is outside one',
        'SHARE-FORWARD': 'NNX has no Reference object to forward from: a tie is the object itself',
        'TREE-CYCLE-ERROR': 'NNX ties by identity: a module that contains itself is a cycle through a tie, '
        'which NNX restores',
    }

    def version(self) -> str:
        return flax.__version__

    def deref(self, ref: Any) -> Any:
        return ref

    def attributes(self, obj: Any) -> dict[str, Any]:
        # NNX keeps its pytree bookkeeping among the instance attributes.
        return {name: value for name, value in vars(obj).items() if not name.startswith('_pytree__')}

    def partition(self, tree: Any, *filters: Any) -> tuple:
        r"""``nnx.split(tree, *filters, ...)``, each state as a dict from the suite's path
        strings to arrays; the last partition (``...``) holds what no filter selects."""

        graphdef, *states = nnx.split(tree, *map(_nnx_filter, filters), ...)
        entries, partitions = [], []
        for state in states:
            partition = {}
            for path, leaf in nnx.to_flat_state(state):
                key = _keystr(tree, path)
                variable = leaf if isinstance(leaf, nnx.Variable) else None
                entries.append((key, tuple(path), variable))
                partition[key] = leaf.get_value() if variable is not None else leaf
            partitions.append(partition)
        layout = tuple((key, path, type(variable) if variable is not None else None) for key, path, variable in entries)
        return (Static(graphdef, tuple(entries), layout), *partitions)

    def combine(self, static: Static, *partitions: dict[str, Any]) -> Any:
        r"""``nnx.merge`` of the states that ``partitions`` make, each value in a copy of
        the Variable it was split from; a key NNX never gave is passed on as the path it
        reads as, for NNX to judge."""

        known = {key: (path, variable) for key, path, variable in static.entries}
        states = []
        for partition in partitions:
            flat = []
            for key, value in partition.items():
                path, variable = known.get(key, (_parse(key), None))
                flat.append((path, variable.replace(value) if variable is not None else value))
            states.append(nnx.from_flat_state(flat))
        return nnx.merge(static.graphdef, *states)

    def jit(self, f: Callable) -> Callable:
        return nnx.jit(f)

    def grad(self, f: Callable) -> Callable:
        # Every float leaf, Parameter or not: what jax.grad of the module would differentiate.
        gradient = nnx.grad(f, argnums=nnx.DiffState(0, ...))

        def in_the_module_shape(module: Any) -> Any:
            # nnx.grad gives a State, each tied Variable once; merged into the module's graph
            # definition, every position of a tie reads it, as SHARE-GRAD reads gradients.
            return nnx.merge(nnx.graphdef(module), gradient(module))

        return in_the_module_shape

    def vmap(self, f: Callable) -> Callable:
        return nnx.vmap(f)

    def export_state(self, tree):
        raise NotImplementedError('NNX has no export_state: its state is what nnx.split and nnx.state give')

    def update_state(self, state, mutation):
        raise NotImplementedError('NNX has no update_state: nnx.update writes a state into a module')


def _nnx_filter(spec: Any) -> Any:
    r"""An NNX filter for the suite's filter ``spec``: a type is one already; a predicate of
    the node becomes one of ``(path, node)``; anything else goes to NNX as it is."""

    if isinstance(spec, type) or not callable(spec):
        return spec
    return lambda path, node: spec(node)


def _keystr(root: Any, path: tuple) -> str:
    r"""The path string (``jax.tree_util.keystr``) of the node that NNX's ``path`` reaches
    from ``root``: each step as the JAX key of that child in its parent's own pytree
    flatten, and ``.value`` into a Variable at the end.

    Example:
        >>> import jax.numpy as jnp
        >>> module = Module()
        >>> module.a = nnx.List([nnx.Param(jnp.ones(1))])
        >>> _keystr(module, ('a', 0))
        '.a[0].value'
    """

    text, node = '', root
    for step in path:
        children = jax.tree_util.tree_flatten_with_path(node, is_leaf=_below_the_root())[0]
        entry, node = next((keys[0], child) for keys, child in children if _nnx_key(keys[0]) == step)
        text += jax.tree_util.keystr((entry,))
    if isinstance(node, nnx.Variable):
        text += '.value'
    return text


def _below_the_root() -> Callable[[Any], bool]:
    r"""An ``is_leaf`` that makes a flatten stop one level down: JAX asks it first of the
    root, then of each child. By order, not identity, since a child may be the root itself
    (a module that contains itself).

    Example:
        >>> jax.tree_util.tree_leaves([[1, 2], 3], is_leaf=_below_the_root())
        [[1, 2], 3]
    """

    asked = []

    def is_leaf(_: Any) -> bool:
        asked.append(True)
        return len(asked) > 1

    return is_leaf


def _nnx_key(entry: Any) -> Hashable:
    r"""The key of NNX's paths for one JAX key entry."""

    for field in ('name', 'idx', 'key'):
        if hasattr(entry, field):
            return getattr(entry, field)
    return entry


def _parse(key: str) -> tuple:
    r"""The NNX path that a path string reads as (for keys that NNX never gave).

    Example:
        >>> _parse(".a[0]['k'].value")
        ('a', 0, 'k', 'value')
    """

    steps = re.findall(r"\.(\w+)|\[(\d+)\]|\['([^']*)'\]", key)
    return tuple(name or (int(index) if index else text) for name, index, text in steps)


ADAPTER = NNXAdapter()
