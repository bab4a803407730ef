r"""Graphs with one defect each: a valid graph (:func:`~spec_tests.graphs.builder.graphs`)
with one change that makes exactly one SPEC error apply: a tag conflict, an alias, a
cycle, a Scope that contains itself or a cycle outside any Scope; and graphs whose
StateEntry is shared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from ..oracle.model import IDENTITIES, walk
from .builder import graphs
from .graph import CONTAINERS, KEYED, MUTABLE, Graph, Node, buildable, subtree
from .options import Options
from .values import names, statics, tags


def _with(graph: Graph, changes: dict[int, Node], added: Sequence[Node] = ()) -> Graph:
    nodes = [changes.get(i, n) for i, n in enumerate(graph.nodes)]
    return Graph(tuple(nodes) + tuple(added))


def _attach(node: Node, child: int, key: Any, at: int) -> Node:
    r"""``node`` with one more child: under ``key`` for modules and dicts, at index
    ``at`` for sequences."""

    if node.kind in KEYED:
        while key in node.keys:
            key = key + '_'
        return dataclasses.replace(node, keys=node.keys + (key,), children=node.children + (child,))
    at = min(at, len(node.children))
    return dataclasses.replace(node, children=node.children[:at] + (child,) + node.children[at:])


def namespaces(graph: Graph) -> dict[int, int | None]:
    r"""The Scope whose namespace holds the children of each reachable node (a Scope
    holds its own), or :py:`None` outside any Scope."""

    found: dict[int, int | None] = {0: 0 if graph[0].kind == 'scope' else None}
    todo = [0]
    while todo:
        i = todo.pop()
        for child in graph[i].children:
            if child not in found:
                found[child] = child if graph[child].kind == 'scope' else found[i]
                todo.append(child)
    return found


def _scoped_refs(graph: Graph, space: dict[int, int | None], kinds: tuple[str, ...]) -> list[int]:
    return [
        i
        for i, s in space.items()
        if graph[i].kind == 'ref' and s is not None and graph[graph[i].children[0]].kind in kinds
    ]


def _new_value(kind: str, start: int) -> list[Node]:
    r"""The nodes of a new value of ``kind`` whose first node gets id ``start``: one
    array in a container or a Parameter or StateEntry, the array itself, or a Reference
    (tag ``'inner'``) to an array. A tuple is never empty: Python has one empty tuple,
    so two of them would be one object."""

    array = Node('array', shape=(1,), seed=99)
    if kind == 'array':
        return [array]
    if kind == 'ref':
        return [Node('ref', tag='inner', children=(start + 1,)), array]
    return [Node(kind, keys=('w',) if kind in KEYED else (), children=(start + 1,)), array]


def _ensure_ref(graph: Graph, space: dict[int, int | None], kinds: tuple[str, ...], new: str = 'param') -> Graph:
    r"""``graph``, with a Reference (tag ``'shared'``) to a new value of kind ``new``
    under the root Scope if it has no scoped Reference to a value of ``kinds``."""

    if _scoped_refs(graph, space, kinds):
        return graph
    start = len(graph.nodes)
    added = [Node('ref', tag='shared', children=(start + 1,)), *_new_value(new, start + 1)]
    return _with(graph, {0: _attach(graph[0], start, 'held', 0)}, added)


def _containers_in(
    graph: Graph, space: dict[int, int | None], scope: int | None, exclude: Collection[int] = frozenset()
) -> list[int]:
    return sorted(c for c, s in space.items() if graph[c].kind in CONTAINERS and s == scope and c not in exclude)


@st.composite
def shared_entry_graphs(draw, **kwargs) -> Graph:
    r"""Graphs with a StateEntry inside the value of a Reference that occurs at two
    positions or more: an entry shared through a tie, what STATE-EXPORT is about
    (random graphs rarely hold one). The tie and the entry are added to a valid graph
    where it has none."""

    graph = draw(graphs(root='scope', entries=True, **kwargs))
    start = len(graph.nodes)
    graph = _with(
        graph,
        {0: _attach(graph[0], start, 'held', 0)},  # a tie candidate, if need be
        [Node('ref', tag='held', children=(start + 1,)), Node('list')],
    )
    space = namespaces(graph)
    degrees = graph.in_degrees()
    ref = draw(st.sampled_from(_scoped_refs(graph, space, MUTABLE)))
    value = graph[ref].children[0]
    if degrees[ref] < 2:  # another position in its scope, outside its value
        container = draw(st.sampled_from(_containers_in(graph, space, space[ref], exclude=subtree(graph, value))))
        graph = _with(graph, {container: _attach(graph[container], ref, draw(names), draw(st.integers(0, 4)))})
    start = len(graph.nodes)
    entry = [Node('entry', children=(start + 1,)), Node('array', shape=(2,), seed=97)]
    return _with(graph, {value: _attach(graph[value], start, draw(names), draw(st.integers(0, 4)))}, entry)


@st.composite
def conflicting_graphs(draw, **kwargs) -> Graph:
    r"""Graphs where two References with one tag in one scope hold different objects
    (SHARE-TAG-CONFLICT)."""

    graph = draw(graphs(root='scope', **kwargs))
    graph = _ensure_ref(graph, namespaces(graph), CONTAINERS + ('param', 'entry', 'array'))
    space = namespaces(graph)
    ref = draw(st.sampled_from(_scoped_refs(graph, space, CONTAINERS + ('param', 'entry', 'array'))))
    container = draw(st.sampled_from(_containers_in(graph, space, space[ref])))
    start = len(graph.nodes)
    added = [Node('ref', tag=graph[ref].tag, children=(start + 1,))]
    value = draw(st.sampled_from(('array', 'param', 'module')))
    if value == 'param':
        added += [Node('param', children=(start + 2,)), Node('array', shape=(2,), seed=98)]
    else:
        added.append(Node(value, shape=(2,), seed=98) if value == 'array' else Node(value))
    change = _attach(graph[container], start, draw(names), draw(st.integers(0, 4)))
    return _with(graph, {container: change}, added)


@st.composite
def aliased_graphs(draw, **kwargs) -> Graph:
    r"""Graphs where one node object (a container of any kind, a Parameter, a
    Reference; a StateEntry with ``entries=True``) is held under two tags of one scope,
    or by References of two scopes (SHARE-ALIAS): a new Reference of the same tag in a new
    inner Scope, or the Reference itself, held twice in a list (its second occurrence
    pruned) beside the inner Scope that holds it again. The kind is drawn first; a
    Reference to a new value of that kind is added where the graph holds none."""

    options = dataclasses.replace(Options(), **kwargs)
    kinds = [kind for kind in IDENTITIES if kind != 'scope' and (kind != 'entry' or options.entries)]
    kind = draw(st.sampled_from(kinds))
    graph = draw(graphs(options, root='scope'))
    graph = _ensure_ref(graph, namespaces(graph), (kind,), new=kind)
    space = namespaces(graph)
    ref = draw(st.sampled_from(_scoped_refs(graph, space, (kind,))))
    target = graph[ref].children[0]
    below = subtree(graph, target)
    start = len(graph.nodes)
    if draw(st.booleans()):  # same tag, from a new inner Scope
        if draw(st.booleans()):  # a new Reference there
            added = [
                Node('scope', keys=('inner',), children=(start + 1,)),
                Node('ref', tag=graph[ref].tag, children=(target,)),
            ]
        else:  # the Reference itself, pruned first where the list lies (SHARE-PRUNE-FIRST)
            added = [
                Node('list', children=(ref, ref, start + 1)),
                Node('scope', keys=('inner',), children=(ref,)),
            ]
        containers = sorted(c for c in space if graph[c].kind in CONTAINERS and c not in below)
    else:  # another tag, in the same scope
        used = {graph[i].tag for i, s in space.items() if graph[i].kind == 'ref' and s == space[ref]}
        added = [Node('ref', tag=draw(tags.filter(lambda t: t not in used)), children=(target,))]
        containers = _containers_in(graph, space, space[ref], exclude=below)
    container = draw(st.sampled_from(containers))
    change = _attach(graph[container], start, draw(names), draw(st.integers(0, 4)))
    return _with(graph, {container: change}, added)


@st.composite
def cyclic_graphs(draw, **kwargs) -> Graph:
    r"""Graphs where a container holds one of its ancestors, or itself, directly rather
    than through a Reference (TREE-CYCLE-ERROR). The way down from the ancestor may
    pass through anything, References and Parameters included; a way that only a
    pruned occurrence opens closes no cycle, and is drawn again."""

    graph = draw(graphs(**kwargs))
    reachable = namespaces(graph)
    ancestor = draw(st.sampled_from(sorted(i for i in reachable if graph[i].kind in MUTABLE)))
    below = subtree(graph, ancestor)
    container = draw(st.sampled_from(sorted(c for c in below if graph[c].kind in CONTAINERS)))
    change = _attach(graph[container], ancestor, draw(names), draw(st.integers(0, 4)))
    cyclic = _with(graph, {container: change})
    failure = walk(cyclic).failure
    assume(failure is not None and failure.error == 'CycleError')
    return cyclic


@st.composite
def self_scoped_graphs(draw, **kwargs) -> Graph:
    r"""Graphs where a Scope contains itself, directly or through a Reference with a
    new tag (SHARE-SELF-SCOPE). The Scope is held by no Reference, so that no alias
    comes first."""

    graph = draw(graphs(root='scope', **kwargs))
    space = namespaces(graph)
    held = {graph[i].children[0] for i in space if graph[i].kind == 'ref'}
    scope = draw(st.sampled_from(sorted(i for i in space if graph[i].kind == 'scope' and i not in held)))
    container = draw(st.sampled_from(_containers_in(graph, space, scope)))
    start = len(graph.nodes)
    added = []
    child = scope
    if draw(st.booleans()):
        used = {graph[i].tag for i, s in space.items() if graph[i].kind == 'ref' and s == scope}
        added = [Node('ref', tag=draw(tags.filter(lambda t: t not in used)), children=(scope,))]
        child = start
    change = _attach(graph[container], child, draw(names), draw(st.integers(0, 4)))
    return _with(graph, {container: change}, added)


#: The kinds of node on a loop of :func:`unscoped_cycle_graphs`.
LOOP_KINDS = ('module', 'list', 'dict', 'tuple', 'stack', 'record', 'box', 'ref')


def _loop(draw: st.DrawFn, start: int) -> list[Node]:
    r"""The nodes of a new loop whose first node gets id ``start``: each holds the
    next, the last the first. Two to five nodes of :data:`LOOP_KINDS`, a Reference and
    a module, list or dict among them (a program builds a cycle through a mutable
    object), the containers with an array or a static value beside the loop's edge."""

    kinds = draw(st.lists(st.sampled_from(LOOP_KINDS), max_size=3))
    kinds.insert(draw(st.integers(0, len(kinds))), 'ref')
    kinds.insert(draw(st.integers(0, len(kinds))), draw(st.sampled_from(('module', 'list', 'dict'))))
    nodes: list[Node] = []
    extras: list[Node] = []
    for n, kind in enumerate(kinds):
        following = start + (n + 1) % len(kinds)
        if kind == 'ref':
            nodes.append(Node('ref', tag=draw(tags), children=(following,)))
            continue
        children = [following]
        if draw(st.booleans()):  # something beside the edge, before or after it
            beside = start + len(kinds) + len(extras)
            extras.append(
                Node('array', shape=(2,), seed=90 + len(extras))
                if draw(st.booleans())
                else Node('static', value=draw(statics))
            )
            children.insert(draw(st.integers(0, 1)), beside)
        keys = tuple(f'k{i}' for i in range(len(children))) if kind in KEYED else ()
        nodes.append(Node(kind, keys=keys, children=tuple(children)))
    return nodes + extras


@st.composite
def unscoped_cycle_graphs(draw, **kwargs) -> Graph:
    r"""Graphs with a cycle through a Reference outside any Scope (SHARE-UNSCOPED):
    either a Reference of the graph put back inside its own value, at any depth, so that
    the cycle runs through the structure already there; or a new loop (see
    :func:`_loop`) held by any container of the graph."""

    graph = draw(graphs(root='module', scopes=False, **kwargs))
    if draw(st.booleans()):
        returns = [
            (ref, container)
            for ref, node in enumerate(graph.nodes)
            if node.kind == 'ref'
            for container in sorted(subtree(graph, node.children[0]))
            if graph[container].kind in CONTAINERS
            and buildable(_with(graph, {container: _attach(graph[container], ref, 'back', 0)}))
        ]
        if returns:
            ref, container = draw(st.sampled_from(returns))
            return _with(graph, {container: _attach(graph[container], ref, draw(names), draw(st.integers(0, 4)))})
    start = len(graph.nodes)
    container = draw(st.sampled_from(sorted(c for c in namespaces(graph) if graph[c].kind in CONTAINERS)))
    change = _attach(graph[container], start, draw(names), draw(st.integers(0, 4)))
    return _with(graph, {container: change}, _loop(draw, start))
