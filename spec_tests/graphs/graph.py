r"""An implementation-neutral description of a sharing graph.

A :class:`Graph` lists :class:`Node` records; node 0 is the root. Children are node
ids, so one node may sit at several positions, and cycles are plain back edges. Each
record says what object to build (a module, a list, a Reference with its tag, an array
of some shape and dtype, a static value, ...), never how: adapters materialize a graph
with the classes of one implementation (see :mod:`spec_tests.oracle.materialize`).

Example:
    >>> g = Graph((
    ...     Node('scope', keys=('a', 'b'), children=(1, 1)),
    ...     Node('ref', tag='t', children=(2,)),
    ...     Node('param', children=(3,)),
    ...     Node('array', shape=(2,)),
    ... ))
    >>> print(g)
    root = Scope()
    r1 = Reference('t', Parameter(f32[2]))
    root.a = r1
    root.b = r1
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

CONTAINERS = ('module', 'scope', 'list', 'tuple', 'stack', 'dict', 'record', 'box')
MUTABLE = ('module', 'scope', 'list', 'dict')
NAMESPACES = ('module', 'scope')
#: Containers whose children have names: attributes, dict keys, fields.
KEYED = NAMESPACES + ('dict', 'record', 'box')
#: Containers whose children are items, keyed by their index.
SEQUENCES = ('list', 'tuple', 'stack')
#: Containers that keep their children in their own order rather than sorted.
ORDERED = ('list', 'tuple', 'stack', 'record', 'box')
KINDS = CONTAINERS + ('param', 'entry', 'ref', 'array', 'static')


@dataclasses.dataclass(frozen=True)
class Step:
    r"""One step of a path: an attribute (``attr``), a sequence index (``item``), a
    dict key (``key``) or the value of a Reference (``deref``).

    Example:
        >>> Step('attr', 'w'), Step('deref')
        (Step('attr', 'w'), Step('deref'))
    """

    kind: str
    key: Any = None

    def __repr__(self) -> str:
        if self.kind == 'deref':
            return "Step('deref')"
        return f'Step({self.kind!r}, {self.key!r})'

    def keystr(self, reference_key: str = 'value') -> str:
        r"""The step as :func:`jax.tree_util.keystr` prints it.

        Example:
            >>> Step('key', 'k').keystr(), Step('deref').keystr('obj')
            ("['k']", '.obj')
        """

        if self.kind == 'attr':
            return f'.{self.key}'
        if self.kind == 'item':
            return f'[{self.key}]'
        if self.kind == 'key':
            return f'[{self.key!r}]'
        return f'.{reference_key}' if reference_key else ''  # '': the tie is the value itself


Path = tuple[Step, ...]


def keystr(path: Path, reference_key: str = 'value') -> str:
    r"""The path as :func:`jax.tree_util.keystr` prints it ('' for the root).

    Example:
        >>> keystr((Step('attr', 'a'), Step('deref'), Step('item', 0)))
        '.a.value[0]'
    """

    return ''.join(step.keystr(reference_key) for step in path)


@dataclasses.dataclass(frozen=True)
class Node:
    r"""One object of a graph.

    Attributes:
        kind: One of :data:`KINDS`.
        keys: Attribute names (modules, boxes), keys (dicts) or fields (records) of
            the children; records are named tuples, boxes and stacks foreign JAX
            nodes (see :mod:`spec_tests.graphs.foreign`).
        children: Child node ids: the items of a container, the value of a Reference,
            Parameter or StateEntry.
        tag: The tag of a Reference.
        shape: The shape of an array.
        dtype: The dtype name of an array.
        flavor: The array type: ``jax``, ``numpy`` or ``scalar`` (a numpy scalar, of
            shape ``()``).
        seed: Makes the values of an array distinct from others'.
        value: The value of a static node.
        wrapped: Whether that value is made explicitly static
            (:attr:`~spec_tests.adapters.Adapter.static_wrapper`).
        user_class: Whether a module or Scope is of a class of the user's own, a
            subclass of the implementation's (:mod:`spec_tests.oracle.user_classes`).
    """

    kind: str
    keys: tuple = ()
    children: tuple = ()
    tag: Hashable = None
    shape: tuple = ()
    dtype: str = 'float32'
    flavor: str = 'jax'
    seed: int = 0
    value: Any = None
    wrapped: bool = False
    user_class: bool = False

    def steps(self) -> list[Step]:
        r"""The step to each child, in the order of :attr:`children`."""

        if self.kind in NAMESPACES + ('record', 'box'):
            return [Step('attr', k) for k in self.keys]
        if self.kind == 'dict':
            return [Step('key', k) for k in self.keys]
        if self.kind in SEQUENCES:
            return [Step('item', i) for i in range(len(self.children))]
        if self.kind == 'ref':
            return [Step('deref')]
        return [Step('attr', 'value')] * len(self.children)  # param, entry

    def ordered(self) -> list[tuple[Step, int]]:
        r"""The (step, child) pairs in flatten order: module attributes and dict keys
        sorted, a stack's items last first, the children of other containers in their
        own order."""

        pairs = list(zip(self.steps(), self.children, strict=True))
        if self.kind in KEYED and self.kind not in ORDERED:
            pairs.sort(key=lambda pair: pair[0].key)
        if self.kind == 'stack':
            pairs.reverse()
        return pairs


_SHORT = {
    'float32': 'f32',
    'float16': 'f16',
    'int32': 'i32',
    'int8': 'i8',
    'bool': 'bool',
    'uint8': 'u8',
}


@dataclasses.dataclass(frozen=True)
class Graph:
    r"""A sharing graph: its nodes, node 0 being the root.

    Its :func:`repr` is Python-like source that builds it, so that a counterexample
    printed by hypothesis reads as a program.
    """

    nodes: tuple[Node, ...]

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, i: int) -> Node:
        return self.nodes[i]

    def edges(self) -> Iterator[tuple[int, Step, int]]:
        r"""Yields every edge ``(parent, step, child)``."""

        for i, node in enumerate(self.nodes):
            for step, child in zip(node.steps(), node.children, strict=True):
                yield i, step, child

    def in_degrees(self) -> list[int]:
        r"""The number of positions of each node (the root counts one)."""

        degrees = [0] * len(self.nodes)
        degrees[0] = 1
        for _, _, child in self.edges():
            degrees[child] += 1
        return degrees

    def cycle_edges(self) -> list[tuple[int, int]]:
        r"""The edges that lie on a cycle (both ends in one strongly connected
        component, or a self-loop)."""

        component = strongly_connected(self)
        sizes: dict[int, int] = {}
        for c in component:
            sizes[c] = sizes.get(c, 0) + 1
        return [
            (parent, child)
            for parent, _, child in self.edges()
            if component[parent] == component[child] and (parent == child or sizes[component[parent]] > 1)
        ]

    def to_source(self, max_lines: int = 80) -> str:
        r"""Python-like source that builds the graph. A graph of more than
        :data:`~spec_tests.graphs.source.INLINE_LIMIT` nodes is shown as an outline instead, one line per node
        naming its children (so that a very deep graph renders without recursion), and
        the text stops after ``max_lines`` lines."""

        from .source import INLINE_LIMIT, OUTLINE_LINES, _outline, _Source  # it builds on this module

        if len(self.nodes) <= INLINE_LIMIT:
            lines = _Source(self).render()
        else:
            max_lines = min(max_lines, OUTLINE_LINES)
            lines = [f'# an outline of {len(self.nodes)} nodes'] + [_outline(self, i) for i in range(len(self.nodes))]
        if len(lines) > max_lines:
            lines = lines[:max_lines] + [f'# ... {len(lines) - max_lines} more lines']
        return '\n'.join(lines)

    def __repr__(self) -> str:
        return self.to_source()

    def _repr_pretty_(self, printer, cycle) -> None:
        r"""Hypothesis prints examples with this (IPython's protocol)."""

        printer.text(self.to_source())

    def to_json(self) -> dict[str, Any]:
        r"""A JSON-able form: nodes (with their name in the source, if any) and
        labelled edges, cycle edges marked, and the source text."""

        from .source import INLINE_LIMIT, _label, _Source  # it builds on this module

        cycles = set(self.cycle_edges())
        names = _Source(self).names if len(self.nodes) <= INLINE_LIMIT else {}
        nodes = [
            {'id': i, 'kind': n.kind, 'label': _label(n), 'name': names.get(i, '')} for i, n in enumerate(self.nodes)
        ]
        edges = [
            {
                'source': parent,
                'target': child,
                'label': step.keystr() if step.kind != 'deref' else f'#{self.nodes[parent].tag!r}',
                'tagged': step.kind == 'deref',
                'cycle': (parent, child) in cycles,
            }
            for parent, step, child in self.edges()
        ]
        return {'nodes': nodes, 'edges': edges, 'source': self.to_source()}


def strongly_connected(graph: Graph) -> list[int]:
    r"""The strongly connected component of each node (iterative Tarjan).

    Example:
        >>> g = Graph((Node('list', children=(1,)), Node('list', children=(0,)), Node('array')))
        >>> strongly_connected(g)[:2] == [strongly_connected(g)[0]] * 2
        True
    """

    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack = set()
    stack: list[int] = []
    component = [-1] * len(graph.nodes)
    count = 0

    for start in range(len(graph.nodes)):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            children = graph.nodes[node].children
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = count
                    if member == node:
                        break
                count += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return component


def subtree(graph: Graph, start: int) -> set:
    r"""The ids reachable from ``start``, itself included."""

    seen, todo = set(), [start]
    while todo:
        i = todo.pop()
        if i not in seen:
            seen.add(i)
            todo.extend(graph.nodes[i].children)
    return seen


def rooted(graph: Graph, start: int) -> Graph:
    r"""The graph of what node ``start`` reaches, ``start`` as its root.

    Example:
        >>> g = Graph((Node('module', keys=('a',), children=(1,)), Node('list', children=(2,)), Node('array')))
        >>> rooted(g, 1).nodes == (Node('list', children=(1,)), Node('array'))
        True
    """

    order = [start] + sorted(subtree(graph, start) - {start})
    number = {i: n for n, i in enumerate(order)}
    return Graph(
        tuple(dataclasses.replace(graph[i], children=tuple(number[c] for c in graph[i].children)) for i in order)
    )


def immutable_order(graph: Graph) -> list[int]:
    r"""The immutable nodes, each after the immutable nodes it holds.

    Raises:
        ValueError: If a cycle has no mutable node on it: no program can build it.
    """

    def on_cycle(i: int) -> None:
        raise ValueError(f'node {i} ({graph[i].kind}) is on a cycle of immutable objects, which no program can build')

    return _post_order(
        [i for i in range(len(graph.nodes)) if graph[i].kind not in MUTABLE],
        lambda i: [c for c in graph[i].children if graph[c].kind not in MUTABLE],
        on_cycle,
    )


def _post_order(
    starts: Iterable[int], successors: Callable[[int], Iterable[int]], on_cycle: Callable[[int], None] | None = None
) -> list[int]:
    r"""The nodes reachable from ``starts``, each after the nodes that ``successors``
    leads to from it (a depth-first post-order, without recursion). ``on_cycle`` is
    called with a node that the walk reaches again from below itself; either way the
    walk goes on without it."""

    order: list[int] = []
    state: dict[int, int] = {}  # 1: below it is being walked, 2: done
    for start in starts:
        work = [(start, False)]
        while work:
            i, done = work.pop()
            if done:
                state[i] = 2
                order.append(i)
                continue
            if state.get(i) == 2:
                continue
            if state.get(i) == 1:
                if on_cycle is not None:
                    on_cycle(i)
                continue
            state[i] = 1
            work.append((i, True))
            work.extend((j, False) for j in successors(i) if state.get(j) != 2)
    return order


def buildable(graph: Graph) -> bool:
    r"""Whether a program can build ``graph`` (see :func:`immutable_order`)."""

    try:
        immutable_order(graph)
    except ValueError:
        return False
    return True
