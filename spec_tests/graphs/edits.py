r"""Edits of valid graphs: another graph of the same or of another structure
(TREE-DEFINITION), graphs with other leaf values, and deep chains.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from ..oracle.model import walk
from .builder import sharing_graphs
from .graph import KEYED, NAMESPACES, Graph, Node, buildable
from .values import names, tags

#: The kinds a node may change to and keep its children and keys (TREE-DEFINITION: a
#: change of node type changes the structure): sequences, and named containers. (Not
#: Parameter to StateEntry: StateEntry belongs to the optional feature `state`.)
RETYPES = {
    'list': ('tuple', 'stack'),
    'tuple': ('list', 'stack'),
    'stack': ('list', 'tuple'),
    'module': ('scope', 'dict', 'record', 'box'),
    'scope': ('module', 'dict', 'record', 'box'),
    'dict': ('module', 'scope', 'record', 'box'),
    'record': ('module', 'scope', 'dict', 'box'),
    'box': ('module', 'scope', 'dict', 'record'),
}


def _retypable(nodes: Sequence[Node]) -> list[int]:
    r"""The nodes whose kind :data:`RETYPES` may change. The root stays a module or a
    Scope, and nothing becomes an empty tuple: Python has one empty tuple, so two of
    them would be one object."""

    return [
        i
        for i, node in enumerate(nodes)
        if node.kind in RETYPES
        and (i > 0 or node.kind in NAMESPACES)
        and (node.kind not in ('list', 'stack') or node.children)
    ]


#: A position: ``(container, index of the child)``.
Position = tuple[int, int]


def _ref_positions(nodes: Sequence[Node]) -> list[Position]:
    r"""The positions of References in containers (not as the value of a Reference)."""

    return [
        (i, n)
        for i, node in enumerate(nodes)
        for n, child in enumerate(node.children)
        if nodes[child].kind == 'ref' and node.kind != 'ref'
    ]


def _retag(draw: st.DrawFn, nodes: list[Node], positions: list[Position]) -> None:
    r"""Gives the Reference at a drawn position another tag, often one in use already."""

    i, n = draw(st.sampled_from(positions))
    ref = nodes[i].children[n]
    old = nodes[ref].tag
    used = sorted({node.tag for node in nodes if node.kind == 'ref'} - {old}, key=repr)
    new_tags = st.sampled_from(used) | tags if used else tags
    nodes[ref] = dataclasses.replace(nodes[ref], tag=draw(new_tags.filter(lambda tag: tag != old)))


def _rekey(draw: st.DrawFn, nodes: list[Node], keyed: list[int]) -> None:
    r"""Renames a drawn key of a drawn keyed container."""

    i = draw(st.sampled_from(keyed))
    keys = list(nodes[i].keys)
    n = draw(st.integers(0, len(keys) - 1))
    new = draw(names)
    while new in keys:
        new = new + '_'
    keys[n] = new
    nodes[i] = dataclasses.replace(nodes[i], keys=tuple(keys))


def _retype(draw: st.DrawFn, nodes: list[Node], retypable: list[int]) -> None:
    r"""Changes the kind of a drawn node (see :data:`RETYPES`); the root stays a namespace."""

    i = draw(st.sampled_from(retypable))
    kinds = RETYPES[nodes[i].kind]
    kind = draw(st.sampled_from([k for k in kinds if k in NAMESPACES] if i == 0 else kinds))
    user_class = nodes[i].user_class and kind in NAMESPACES  # only modules have classes of the user's
    nodes[i] = dataclasses.replace(nodes[i], kind=kind, user_class=user_class)


def _reclass(draw: st.DrawFn, nodes: list[Node], namespaces: list[int]) -> None:
    r"""Makes a drawn module or Scope of the user's own class if it was not, and of the
    implementation's if it was (TREE-DEFINITION: the same node types)."""

    i = draw(st.sampled_from(namespaces))
    nodes[i] = dataclasses.replace(nodes[i], user_class=not nodes[i].user_class)


def _repoint(nodes: list[Node], positions: Sequence[Position], targets: Sequence[int]) -> None:
    r"""Puts each of ``targets`` at the matching one of ``positions``."""

    for (i, n), target in zip(positions, targets, strict=True):
        children = list(nodes[i].children)
        children[n] = target
        nodes[i] = dataclasses.replace(nodes[i], children=tuple(children))


def _swap(draw: st.DrawFn, nodes: list[Node], swaps: list[tuple[Position, Position]]) -> None:
    r"""Swaps two different References between their positions."""

    chosen = list(draw(st.sampled_from(swaps)))
    _repoint(nodes, chosen, [nodes[i].children[n] for i, n in reversed(chosen)])


def _twin(draw: st.DrawFn, nodes: list[Node], positions: list[Position]) -> None:
    r"""Puts a twin of its Reference (a copy with its tag and value) at a drawn position."""

    i, n = draw(st.sampled_from(positions))
    nodes.append(nodes[nodes[i].children[n]])
    _repoint(nodes, [(i, n)], [len(nodes) - 1])


_EDITS = {'retag': _retag, 'swap': _swap, 'twin': _twin, 'rekey': _rekey, 'retype': _retype, 'reclass': _reclass}


@st.composite
def edited_graphs(draw, graph: Graph) -> Graph:
    r"""``graph`` with one edit of its structure or none: a Reference retagged, two
    References swapped between their positions, a position given a twin of its
    Reference, a key renamed (an attribute, dict key or field), a node retyped (see
    :data:`RETYPES`), or a module given the other class (the user's or the
    implementation's); and, half of the time and always without such an edit, arrays
    given other values of the same shape and dtype. The edit may change the structure
    or not (a twin and new values do not): the model says which. An edit may also make
    the graph invalid (a tag conflict, a Scope that unties a tie); callers reject those.
    (Changed static values are TREE-STATIC's business.)"""

    nodes = list(graph.nodes)
    positions = _ref_positions(nodes)
    arrays = [i for i, node in enumerate(nodes) if node.kind == 'array']
    # What each edit may apply to, in the order the edits are drawn from.
    targets: dict[str, list[Any]] = {
        'retag': positions,
        'swap': [
            (a, b)
            for a in positions
            for b in positions
            if a < b and nodes[a[0]].children[a[1]] != nodes[b[0]].children[b[1]]
        ],
        'twin': positions,
        'rekey': [i for i, node in enumerate(nodes) if node.kind in KEYED and node.keys],
        'retype': _retypable(nodes),
        'reclass': [i for i, node in enumerate(nodes) if node.kind in NAMESPACES],
        'none': arrays,
    }
    edits = [edit for edit, possible in targets.items() if possible]
    if not edits:
        return graph
    edit = draw(st.sampled_from(edits))
    if edit != 'none':
        _EDITS[edit](draw, nodes, targets[edit])
    graph = Graph(tuple(nodes))
    if arrays and (edit == 'none' or draw(st.booleans())):  # leaf values play no part
        graph = revalued(graph, draw(st.lists(st.sampled_from(arrays), min_size=1, unique=True)))
    return graph


def revalued(graph: Graph, arrays: Sequence[int] | None = None) -> Graph:
    r"""``graph`` with other values (new seeds) in the given array nodes, by default all
    of them: the same structure, other leaves."""

    nodes = list(graph.nodes)
    if arrays is None:
        arrays = [i for i, node in enumerate(nodes) if node.kind == 'array']
    seed = max((node.seed for node in nodes), default=0) + 1
    for n, i in enumerate(arrays):
        nodes[i] = dataclasses.replace(nodes[i], seed=seed + n)
    return Graph(tuple(nodes))


def graph_pairs(**kwargs) -> st.SearchStrategy:
    r"""Pairs ``(graph, edited graph)`` of :func:`edited_graphs`, both valid (keyword
    arguments as for :func:`graphs`)."""

    pairs = sharing_graphs(**kwargs).flatmap(lambda graph: st.tuples(st.just(graph), edited_graphs(graph)))
    return pairs.filter(lambda pair: buildable(pair[1]) and walk(pair[1]).failure is None)


@st.composite
def deep_graphs(draw, depth: int, kinds: tuple[str, ...] = ('module', 'ref')) -> Graph:
    r"""A root Scope holding a chain of ``depth`` nested modules and References (each
    with its own tag), a drawn pattern of kinds repeated, that ends with a Reference to
    a Parameter; the root holds that Reference too, unless the chain crosses a Scope."""

    pattern = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=8))
    chain = (pattern * (depth // len(pattern) + 1))[:depth]
    bottom = depth + 1
    tie = 'scope' not in chain
    nodes = [Node('scope', keys=('x', 'y') if tie else ('x',), children=(1, bottom) if tie else (1,))]
    for n, kind in enumerate(chain, start=1):
        if kind == 'ref':
            nodes.append(Node('ref', tag=n, children=(n + 1,)))
        else:
            nodes.append(Node(kind, keys=('x',), children=(n + 1,)))
    nodes.append(Node('ref', tag='bottom', children=(bottom + 1,)))
    nodes.append(Node('param', children=(bottom + 2,)))
    nodes.append(Node('array', shape=(2,), seed=1))
    return Graph(tuple(nodes))
