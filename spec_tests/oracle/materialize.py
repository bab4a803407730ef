r"""Builds the objects of a :class:`~spec_tests.graphs.graph.Graph` with one implementation,
and walks paths through them.

Mutable containers (modules, scopes, lists, dicts) are created empty first, then the
immutable objects (tuples, records, boxes, Parameters, References, state entries,
arrays) in
dependency order, then the containers are filled: every cycle of a graph goes through
a mutable container, so this order builds any cycle. Nothing recurses, so graphs of
any depth build.

An implementation whose modules are immutable (``Adapter.immutable``) gets every node
built after its children instead, and its ties made on the whole tree at the end; it
cannot build a cycle, and says so with :class:`~spec_tests.adapters.base.Unbuildable`.
"""

from __future__ import annotations

import dataclasses
import graphlib
from typing import Any

import numpy as np

from ..adapters import Adapter
from ..adapters.base import Unbuildable
from ..graphs.foreign import Box, Stack, UnnamedTuple, record_class
from ..graphs.graph import MUTABLE, Graph, Node, Path, immutable_order
from .model import walk
from .user_classes import user_class


@dataclasses.dataclass
class Live:
    r"""A materialized graph.

    Attributes:
        root: The root object.
        objects: The object built for each node id.
    """

    root: Any
    objects: dict[int, Any]


def array_value(node: Node, batch: int | None = None, offset: int = 0) -> Any:
    r"""The array of an ``array`` node: small integers (exact in every dtype), distinct
    across seeds and offsets; with ``batch``, the arrays of offsets ``0, 3, 6, ...``
    stacked on a new first axis. Its type is the node's flavor: a jax array, a numpy
    array, or a numpy scalar.

    Example:
        >>> from spec_tests.graphs.graph import Node
        >>> array_value(Node('array', shape=(3,), dtype='int32', flavor='numpy', seed=1))
        array([-1,  0,  1], dtype=int32)
    """

    shape = tuple(node.shape)
    size = int(np.prod(shape, dtype=np.int64))
    base = np.arange(size, dtype=np.int64).reshape(shape) + node.seed + offset
    if batch is not None:
        base = np.stack([base + 3 * b for b in range(batch)])
    if node.dtype == 'bool':
        values = np.asarray(base % 2, dtype=bool)
    else:
        values = np.asarray(base % 5 - 2, dtype=node.dtype)
    if node.flavor == 'numpy':
        return values
    if node.flavor == 'scalar':  # a numpy scalar (np.generic), of shape ()
        return values[()]
    import jax.numpy as jnp

    return jnp.asarray(values)


def materialize(graph: Graph, impl: Adapter, batch: int | None = None, offset: int = 0) -> Live:
    r"""Builds ``graph`` with the classes of ``impl``.

    Arguments:
        graph: The graph.
        impl: The adapter of the implementation.
        batch: Give every array a leading batch axis of this size (for vmap).
        offset: Shift the values of every array (see :func:`array_value`).
    """

    _check_expressible(graph, impl)
    if impl.immutable:
        return _materialize_immutable(graph, impl, batch, offset)
    objects: dict[int, Any] = {}
    for i, node in enumerate(graph.nodes):
        if node.kind in ('module', 'scope'):
            cls = module_class(impl, node)
            objects[i] = cls('built by the suite') if node.user_class else cls()
        elif node.kind == 'list':
            objects[i] = impl.List()
        elif node.kind == 'dict':
            objects[i] = impl.Dict()

    for i in immutable_order(graph):
        objects[i] = _immutable(graph[i], impl, [objects[c] for c in graph[i].children], batch, offset)

    for i, node in enumerate(graph.nodes):
        if node.kind not in MUTABLE:
            continue
        target = objects[i]
        values = [objects[c] for c in node.children]
        if node.kind in ('module', 'scope'):
            for key, value in zip(node.keys, values, strict=True):
                setattr(target, key, value)
        elif node.kind == 'list':
            target.extend(values)
        else:
            target.update(zip(node.keys, values, strict=True))

    return Live(objects[0], objects)


def module_class(impl: Adapter, node: Node) -> type:
    r"""The class of a module or Scope ``node`` for a design that the suite builds (not
    :attr:`~spec_tests.adapters.Adapter.immutable`): the implementation's, or the user's
    own subclass of it (:mod:`.user_classes`).

    Example:
        >>> from spec_tests.adapters import load
        >>> reference = load('reference')
        >>> module_class(reference, Node('scope')) is reference.Scope
        True
        >>> module_class(reference, Node('module', user_class=True)).__bases__ == (reference.Module,)
        True
    """

    base = impl.Scope if node.kind == 'scope' else impl.Module
    return user_class(base) if node.user_class else base


def _check_expressible(graph: Graph, impl: Adapter) -> None:
    r"""Raises :class:`Unbuildable` if ``graph`` shares a node of a kind that ``impl`` ties
    by identity (``Adapter.identity_ties``) without a Reference: the graph says "not a
    tie", which that design cannot say. The root's own position counts as one without
    a Reference.

    Example:
        >>> from spec_tests.adapters import Adapter
        >>> from spec_tests.graphs.graph import Node
        >>> shared = Graph((Node('module', keys=('a', 'b'), children=(1, 1)), Node('module')))
        >>> class ByIdentity(Adapter):
        ...     name, identity_ties = 'by-identity', frozenset({'module'})
        >>> _check_expressible(shared, ByIdentity())
        Traceback (most recent call last):
        ...
        spec_tests.adapters.base.Unbuildable: by-identity ties every shared module: ... without a Reference
    """

    if not impl.identity_ties:
        return
    positions = graph.in_degrees()
    untagged = {0} | {child for parent, _, child in graph.edges() if graph[parent].kind != 'ref'}
    for i, node in enumerate(graph.nodes):
        if node.kind in impl.identity_ties and i in untagged and positions[i] > 1:
            raise Unbuildable(
                f'{impl.name} ties every shared {node.kind}: it cannot hold one at {positions[i]} positions '
                'without a Reference'
            )


def _immutable(node: Node, impl: Adapter, values: list, batch: int | None, offset: int) -> Any:
    r"""The object of ``node``, a kind that holds its ``values`` from construction on."""

    if node.kind == 'array':
        return array_value(node, batch, offset)
    if node.kind == 'static':
        return static_value(impl, equal_copy(node.value), node.wrapped)
    if node.kind == 'tuple':
        return tuple(values)
    if node.kind == 'stack':
        return Stack(values)
    if node.kind == 'record':
        return record_class(node.keys)(*values)
    if node.kind == 'box':
        return Box(node.keys, values)
    if node.kind == 'param':
        return impl.Parameter(values[0])
    if node.kind == 'entry':
        return impl.StateEntry(values[0])
    return impl.reference(node.tag, values[0])


def _materialize_immutable(graph: Graph, impl: Adapter, batch: int | None, offset: int) -> Live:
    r"""Builds ``graph`` for an implementation whose modules are immutable: every node
    after the nodes it holds, modules and scopes from their attributes, then the ties of
    the model made on the whole tree (:meth:`Adapter.tie`).

    Raises:
        Unbuildable: If the graph has a cycle: no tree of immutable modules holds one.
    """

    children = {i: node.children for i, node in enumerate(graph.nodes)}
    try:
        order = list(graphlib.TopologicalSorter(children).static_order())
    except graphlib.CycleError as error:
        raise Unbuildable(f'{impl.name} cannot build a cycle (through nodes {error.args[1][:-1]})') from None
    objects: dict[int, Any] = {}
    for i in order:
        node, values = graph[i], [objects[c] for c in graph[i].children]
        if node.kind in ('module', 'scope'):
            objects[i] = impl.module(node.kind, dict(zip(node.keys, values, strict=True)))
        elif node.kind == 'list':
            objects[i] = impl.List(values)
        elif node.kind == 'dict':
            objects[i] = impl.Dict(zip(node.keys, values, strict=True))
        else:
            objects[i] = _immutable(node, impl, values, batch, offset)
    ties = [(group[0], group[1:]) for group in walk(graph).groups.values() if len(group) > 1]
    return Live(impl.tie(objects[0], ties), objects)


def static_value(impl: Adapter, value: Any, wrapped: bool) -> Any:
    r"""The object that holds static value ``value``, made explicitly static if ``wrapped``
    and the implementation has a wrapper (``Adapter.static_wrapper``). SPEC.md requires
    none, so without one the value stays as is, but a tuple, which is a node, becomes
    an :class:`UnnamedTuple`: a static value, like a wrapped one.

    Example:
        >>> from spec_tests.adapters import Adapter
        >>> static_value(Adapter(), (1, 'a'), wrapped=True)
        UnnamedTuple((1, 'a'))
        >>> static_value(Adapter(), (1, 'a'), wrapped=False)
        (1, 'a')
    """

    if not wrapped:
        return value
    if impl.static_wrapper is not None:
        return impl.static_wrapper(value)
    return UnnamedTuple(value) if type(value) is tuple else value


def equal_copy(value: Any) -> Any:
    r"""An equal copy of a static value that is another object, where its type allows
    (strings of two or more characters, floats, ints beyond the interpreter's cache,
    tuples): trees built apart hold their own static objects, and TREE-DEFINITION
    compares static values by type and equality, not identity. Other values come back
    as they are.

    Example:
        >>> value = (300, 'ab', 0.5)
        >>> copy = equal_copy(value)
        >>> copy == value, copy is value, copy[1] is value[1]
        (True, False, False)
    """

    if type(value) is str:
        return ''.join(list(value))
    if type(value) is float:
        return float(repr(value))
    if type(value) is int:
        return int(str(value))
    if type(value) in (tuple, UnnamedTuple):
        return type(value)(equal_copy(v) for v in value)
    return value


def resolve(impl: Adapter, root: Any, path: Path) -> Any:
    r"""The object at ``path`` below ``root``: attributes, items and keys are read
    as Python does, from the tree the user reads (:meth:`Adapter.view`), References are
    entered with :meth:`Adapter.deref`."""

    x = impl.view(root)
    for step in path:
        if step.kind == 'attr':
            x = getattr(x, step.key)
        elif step.kind == 'deref':
            x = impl.deref(x)
        else:
            x = x[step.key]
    return x
