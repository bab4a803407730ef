r"""Input classes: the kinds of input that make a clause of SPEC.md observable.

A clause can only fail on an input that exercises it: "every later occurrence of the tag
MUST be pruned" says nothing about a graph without a tie. Each class is a named
predicate on the arguments that a property draws, taken from the words of SPEC.md that
call for it. The traceability table (``spec_tests/trace.toml``) names the classes of each
clause, and a self-test replays the ``ci`` examples of each property and fails when one of
its classes is never met (``spec_tests/selftests/test_trace.py``).

The graph classes are defined here; a property whose other arguments need classes of
their own (filters, tags) defines them beside its strategy with :func:`input_class`.

Example:
    >>> from spec_tests.graphs.graph import Graph, Node
    >>> tied = Graph((
    ...     Node('scope', keys=('a', 'b'), children=(1, 1)),
    ...     Node('ref', tag='t', children=(2,)),
    ...     Node('array', shape=(2,)),
    ... ))
    >>> CLASSES['a tie'].met(tied), CLASSES['a cycle through a Reference'].met(tied)
    (True, False)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from ..oracle.model import walk
from .defects import namespaces
from .graph import Graph, Node, strongly_connected, subtree

#: Every input class, by name: those defined here and by the properties' modules.
CLASSES: dict[str, InputClass] = {}


class InputClassError(ValueError):
    r"""Raised when two input classes get one name."""


@dataclasses.dataclass(frozen=True)
class InputClass:
    r"""A kind of input.

    Attributes:
        name: How the traceability table names it.
        words: The words of SPEC.md that call for it.
        test: Whether one drawn argument tuple belongs to it.
    """

    name: str
    words: str
    test: Callable[..., bool]

    def met(self, *drawn: Any) -> bool:
        r"""Whether the arguments ``drawn`` (as a property receives them) belong to it."""

        return bool(self.test(*drawn))


def input_class(name: str, words: str) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    r"""Declares the input class ``name`` whose predicate is the decorated function."""

    def declare(test: Callable[..., bool]) -> Callable[..., bool]:
        if name in CLASSES:
            raise InputClassError(f'the input class {name!r} is declared twice')
        CLASSES[name] = InputClass(name, words, test)
        return test

    return declare


def graphs_in(drawn: tuple) -> Iterator[Graph]:
    r"""The graphs among drawn arguments, also inside tuples and lists (pairs)."""

    for value in drawn:
        if isinstance(value, Graph):
            yield value
        elif isinstance(value, (tuple, list)):
            yield from (v for v in value if isinstance(v, Graph))


def graph_class(name: str, words: str) -> Callable[[Callable[[Graph], bool]], Callable[[Graph], bool]]:
    r"""Declares an input class met when one graph among the drawn arguments satisfies
    the decorated predicate."""

    def declare(test: Callable[[Graph], bool]) -> Callable[[Graph], bool]:
        input_class(name, words)(lambda *drawn: any(test(graph) for graph in graphs_in(drawn)))
        return test

    return declare


def _refs(graph: Graph) -> list[int]:
    return [i for i, node in enumerate(graph.nodes) if node.kind == 'ref']


def _cycles(graph: Graph) -> list[set[int]]:
    r"""The nodes of each cycle (strongly connected component with an edge inside)."""

    on_cycle = {a for a, _ in graph.cycle_edges()} | {b for _, b in graph.cycle_edges()}
    component = strongly_connected(graph)
    found: dict[int, set[int]] = {}
    for i in on_cycle:
        found.setdefault(component[i], set()).add(i)
    return list(found.values())


def _kinds(graph: Graph, kinds: tuple[str, ...]) -> list[Node]:
    return [node for node in graph.nodes if node.kind in kinds]


# Ties and sharing.


@graph_class('a tie', 'every later occurrence of the tag MUST be pruned')
def _tie(graph: Graph) -> bool:
    space, degrees = namespaces(graph), graph.in_degrees()
    return any(degrees[r] > 1 and space.get(r) is not None for r in _refs(graph)) or _twins(graph)


@graph_class('a tie of arrays', 'it contributes no leaf')
def _tied_arrays(graph: Graph) -> bool:
    space, degrees = namespaces(graph), graph.in_degrees()
    return any(
        degrees[r] > 1
        and space.get(r) is not None
        and any(graph[i].kind == 'array' for i in subtree(graph, graph[r].children[0]))
        for r in _refs(graph)
    )


@graph_class('twins', 'one Reference object or two with the same value')
def _twins(graph: Graph) -> bool:
    space = namespaces(graph)
    seen = set()
    for r in _refs(graph):
        if r in space:
            key = (space[r], repr(graph[r].tag), graph[r].children)
            if key in seen:
                return True
            seen.add(key)
    return False


@graph_class('plain sharing', 'plain Python sharing without a Reference is not a tie')
def _plain_sharing(graph: Graph) -> bool:
    degrees = graph.in_degrees()
    return any(graph[i].kind in ('array', 'param') and degrees[i] > 1 for i in range(len(graph)))


@graph_class('a Reference to a Reference', 'References reachable only through other References')
def _chain(graph: Graph) -> bool:
    return any(graph[graph[r].children[0]].kind == 'ref' for r in _refs(graph) if graph[r].children)


@graph_class('a tied Reference held by a tied Reference', 'Every later occurrence of the tag MUST be pruned')
def _tied_in_chain(graph: Graph) -> bool:
    space, degrees = namespaces(graph), graph.in_degrees()
    tied = [r for r in _refs(graph) if degrees[r] > 1 and space.get(r) is not None]
    return any(graph[graph[r].children[0]].kind == 'ref' and graph[r].children[0] in tied for r in tied)


@graph_class('a Reference to a static value', 'whatever its value')
def _ref_static(graph: Graph) -> bool:
    return any(graph[graph[r].children[0]].kind == 'static' for r in _refs(graph) if graph[r].children)


@graph_class('a value under two tags', 'they MAY be held under several tags')
def _value_two_tags(graph: Graph) -> bool:
    held: dict[int, set] = {}
    for r in _refs(graph):
        if graph[r].children and graph[graph[r].children[0]].kind in ('array', 'static'):
            held.setdefault(graph[r].children[0], set()).add(repr(graph[r].tag))
    return any(len(tags) > 1 for tags in held.values())


# Scopes.


@graph_class('a Scope in a Scope', 'up to the next inner Scope, which opens its own')
def _nested_scope(graph: Graph) -> bool:
    scopes = [i for i, node in enumerate(graph.nodes) if node.kind == 'scope']
    return any(j in subtree(graph, i) for i in scopes for j in scopes if j != i)


@graph_class('a Reference outside any Scope', 'Outside any scope, a Reference is a plain wrapper')
def _unscoped(graph: Graph) -> bool:
    space = namespaces(graph)
    return any(graph[r].kind == 'ref' and space[r] is None for r in space)


@graph_class('an unscoped Reference at two positions', 'its value MUST be flattened at every occurrence')
def _unscoped_twice(graph: Graph) -> bool:
    space, degrees = namespaces(graph), graph.in_degrees()
    return any(graph[r].kind == 'ref' and space[r] is None and degrees[r] > 1 for r in space)


# Cycles.


@graph_class('a cycle through a Reference', 'Cycles through References inside a scope')
def _cycle(graph: Graph) -> bool:
    return bool(graph.cycle_edges())


@graph_class('a cycle through one Reference', 'a reference inside its own value')
def _self_cycle(graph: Graph) -> bool:
    return any(sum(graph[i].kind == 'ref' for i in cycle) == 1 for cycle in _cycles(graph))


@graph_class('a cycle through two References', 'two references holding each other, long chains')
def _long_cycle(graph: Graph) -> bool:
    return any(sum(graph[i].kind == 'ref' for i in cycle) >= 2 for cycle in _cycles(graph))


@graph_class('a cycle through a list, tuple or dict', 'cycles through lists, tuples and dicts')
def _container_cycle(graph: Graph) -> bool:
    return any(any(graph[i].kind in ('list', 'tuple', 'dict') for i in cycle) for cycle in _cycles(graph))


# Node kinds and flatten order.


for _kind in ('list', 'tuple', 'dict'):
    graph_class(f'a {_kind}', 'lists, tuples, named tuples, dicts')(
        lambda graph, _kind=_kind: bool(_kinds(graph, (_kind,)))
    )


@graph_class('a named tuple', "a named tuple's are its fields in the order of its class")
def _record(graph: Graph) -> bool:
    return any(len(node.keys) > 1 and list(node.keys) != sorted(node.keys) for node in _kinds(graph, ('record',)))


@graph_class('a foreign JAX node', "another JAX pytree node's are its children in the order its own")
def _foreign(graph: Graph) -> bool:
    return any(len(node.children) > 1 for node in _kinds(graph, ('stack', 'box')))


@graph_class("a module of the user's own class", 'an instance of a subclass of it, such as a class of its user')
def _user_class(graph: Graph) -> bool:
    return any(node.user_class for node in graph.nodes)


@graph_class('attributes out of sorted order', "a module's branches are its attributes sorted by name")
def _unsorted_attributes(graph: Graph) -> bool:
    return any(list(node.keys) != sorted(node.keys) for node in _kinds(graph, ('module', 'scope')))


@graph_class('dict keys out of sorted order', "a dict's are its keys sorted")
def _unsorted_dict(graph: Graph) -> bool:
    return any(list(node.keys) != sorted(node.keys) for node in _kinds(graph, ('dict',)))


@graph_class('a module in a module', 'The leaves of a module')
def _inner_module(graph: Graph) -> bool:
    return any(
        node.kind in ('module', 'scope') and any(graph[j].kind == 'array' for j in subtree(graph, i))
        for i, node in enumerate(graph.nodes)
        if i
    )


@graph_class('a static value', 'Static values MUST NOT be leaves')
def _static(graph: Graph) -> bool:
    return bool(_kinds(graph, ('static',)))


@graph_class('a wrapped static value', 'A value made explicitly static')
def _wrapped(graph: Graph) -> bool:
    return any(node.wrapped for node in _kinds(graph, ('static',)))


# Leaves.


@graph_class('every array type', '`jax.Array`, `numpy.ndarray` and numpy scalars')
def _flavors(graph: Graph) -> bool:
    return {node.flavor for node in _kinds(graph, ('array',))} >= {'jax', 'numpy', 'scalar'}


@graph_class('every dtype kind', 'whatever their dtype (boolean, integer or floating)')
def _dtype_kinds(graph: Graph) -> bool:
    kinds = {'bool': 'b', 'float32': 'f', 'float16': 'f', 'int32': 'i', 'int8': 'i', 'uint8': 'i'}
    return {kinds[node.dtype] for node in _kinds(graph, ('array',))} == {'b', 'i', 'f'}


@graph_class('two dtypes of one kind', 'the same dtype')
def _dtypes_within_kind(graph: Graph) -> bool:
    dtypes = {node.dtype for node in _kinds(graph, ('array',))}
    return len(dtypes & {'float32', 'float16'}) == 2 or len(dtypes & {'int32', 'int8', 'uint8'}) >= 2


@graph_class('a wide tree', 'For every tree `t`')
def _wide(graph: Graph) -> bool:
    # Wider than the strategies draw in ci: a module of two arrays or more, ten tags or
    # more, and a list of ten children or more.
    return (
        any(sum(graph[j].kind == 'array' for j in node.children) >= 2 for node in _kinds(graph, ('module', 'scope')))
        and len({graph[r].tag for r in _refs(graph)}) >= 10
        and any(len(node.children) >= 10 for node in _kinds(graph, ('list',)))
    )


@graph_class('an array of size zero', 'the same leaves')
def _empty_array(graph: Graph) -> bool:
    return any(0 in node.shape for node in _kinds(graph, ('array',)))


@graph_class('a Parameter', 'the arrays of its subtree')
def _param(graph: Graph) -> bool:
    return bool(_kinds(graph, ('param',)))


# Defects: what the error of a graph with one defect must name.


def _failure(graph: Graph, error: str, kinds: tuple[str, ...]) -> bool:
    failure = walk(graph).failure
    return failure is not None and failure.error == error and graph[failure.node].kind in kinds


@graph_class('a Reference that contains itself', 'its tag if it is a Reference')
def _ref_cycle(graph: Graph) -> bool:
    return _failure(graph, 'CycleError', ('ref',))


@graph_class('a module that contains itself', 'A node that contains itself')
def _module_cycle(graph: Graph) -> bool:
    return _failure(graph, 'CycleError', ('module', 'scope'))


@graph_class('a list or dict that contains itself', 'the type of the node')
def _container_cycle_error(graph: Graph) -> bool:
    return _failure(graph, 'CycleError', ('list', 'dict'))


@graph_class('one object under two tags', 'One node object held by References with two different tags')
def _two_tags(graph: Graph) -> bool:
    failure = walk(graph).failure
    return failure is not None and failure.error == 'AliasError' and len(set(map(repr, failure.tags))) == 2


@graph_class('one object in two scopes', 'or by References of two different scopes')
def _two_scopes(graph: Graph) -> bool:
    failure = walk(graph).failure
    return failure is not None and failure.error == 'AliasError' and len(set(map(repr, failure.tags))) == 1


# Pairs of graphs (TREE-DEFINITION): what the second changes of the first.


def pair_class(name: str, words: str) -> Callable[[Callable[[Graph, Graph], bool]], Callable[[Graph, Graph], bool]]:
    r"""Declares an input class of a drawn pair of graphs."""

    def declare(test: Callable[[Graph, Graph], bool]) -> Callable[[Graph, Graph], bool]:
        input_class(name, words)(lambda pair, *_: test(*pair))
        return test

    return declare


def _changed(graph: Graph, other: Graph) -> list[tuple[Node, Node]]:
    return [(a, b) for a, b in zip(graph.nodes, other.nodes, strict=False) if a != b]


@pair_class('a pair of equal structures', 'exactly when they have the same structure')
def _equal_pair(graph: Graph, other: Graph) -> bool:
    return walk(graph).signature() == walk(other).signature()


@pair_class('a pair of other structures', 'exactly when they have the same structure')
def _unequal_pair(graph: Graph, other: Graph) -> bool:
    return walk(graph).signature() != walk(other).signature()


@pair_class('keys renamed, as many', 'the same node types, keys')
def _renamed(graph: Graph, other: Graph) -> bool:
    return any(a.kind == b.kind and a.keys != b.keys and len(a.keys) == len(b.keys) for a, b in _changed(graph, other))


@pair_class('a node retyped', 'the same node types')
def _retyped(graph: Graph, other: Graph) -> bool:
    return any(a.kind != b.kind for a, b in _changed(graph, other))


@pair_class("a module of the user's class and one of the implementation's", 'the same node types')
def _reclassed(graph: Graph, other: Graph) -> bool:
    return any(a.kind == b.kind and a.user_class != b.user_class for a, b in _changed(graph, other))


@pair_class('a Reference retagged', 'the same tags in the same scopes')
def _retagged(graph: Graph, other: Graph) -> bool:
    return any(a.kind == b.kind == 'ref' and a.tag != b.tag for a, b in _changed(graph, other))


@pair_class('a twin instead of a Reference', 'one Reference object or two with the same value')
def _twinned(graph: Graph, other: Graph) -> bool:
    return len(other) == len(graph) + 1 and other.nodes[-1].kind == 'ref'


@pair_class('References swapped', 'the same ties (the same occurrences pruned')
def _swapped(graph: Graph, other: Graph) -> bool:
    changed = _changed(graph, other)
    return len(other) == len(graph) and any(a.kind == b.kind and a.children != b.children for a, b in changed)


@pair_class('leaf values changed', 'Leaf values play no part')
def _revalued(graph: Graph, other: Graph) -> bool:
    return any(a.kind == 'array' and a.seed != b.seed for a, b in _changed(graph, other))
