r"""Hypothesis strategies for random sharing graphs.

:func:`graphs` draws valid graphs: modules with random attribute names, lists, tuples,
dicts, named tuples and foreign JAX nodes (:mod:`spec_tests.foreign`) as branches,
Parameters and arrays of random shapes and dtypes (jax and numpy), static values (see
:data:`statics`), References whose tags recur at several positions (the same Reference
object, or *twins*: distinct References with the same tag and value), cycles through
References (self-cycles, 2-cycles, long cycles, cycles through lists and dicts), nested
Scopes, References reachable only through other References, References whose value is
another Reference or a static value, and plain Python sharing of arrays and Parameters.
The injectors (:func:`conflicting_graphs`, :func:`aliased_graphs`, :func:`cyclic_graphs`,
:func:`self_scoped_graphs`, :func:`unscoped_cycle_graphs`) add one defect to a valid
graph, so that exactly one SPEC error applies.

Every strategy draws plain values (no randomness of its own), so failures shrink to
small graphs whose :func:`repr` is readable Python (see :class:`spec_tests.graph.Graph`).
The strategies depend only on :mod:`spec_tests.graph`, :mod:`spec_tests.model` and
:mod:`spec_tests.foreign`; other projects can import them and write their own
materializer.

Example:
    >>> from hypothesis import given
    >>> from spec_tests.profiles import settings_for
    >>> @settings_for(10)
    ... @given(graphs(max_nodes=10))
    ... def test_root_is_a_module(graph):
    ...     assert graph[0].kind in ('module', 'scope')
    >>> test_root_is_a_module()
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Callable, Collection, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from .foreign import UnnamedTuple
from .graph import CONTAINERS, KEYED, MUTABLE, NAMESPACES, Graph, Node, buildable, subtree
from .model import IDENTITIES, walk

#: Attribute names that modules of released inox versions use for methods.
RESERVED_NAMES = frozenset({'partition', 'train', 'tree_flatten', 'tree_unflatten', 'tree_repr'})


def _usable(name: str) -> bool:
    return not keyword.iskeyword(name) and name not in RESERVED_NAMES


#: Attribute names and dict keys.
names = st.from_regex(r'[a-z][a-z0-9_]{0,5}', fullmatch=True).filter(_usable)

#: Reference tags: short strings, small ints and pairs, so that tags recur.
tags = st.one_of(
    st.from_regex(r'[a-z]{1,3}', fullmatch=True),
    st.integers(0, 9),
    st.tuples(st.sampled_from('pq'), st.integers(0, 3)),
)


#: Static (non-array) values: numbers, strings, None, tuples, functions, a dtype, a
#: scalar type (it has ``dtype`` but no ``shape``), and a tuple subclass that JAX holds
#: as a leaf (:class:`~spec_tests.foreign.UnnamedTuple`). All hashable; values of
#: different types may be equal (``1``, ``1.0``, ``True``), which TREE-DEFINITION tells apart.
@dataclasses.dataclass(frozen=True)
class Token:
    r"""A hashable static value whose repr is any text, spaces at its ends included
    (SHARE-REPR shows a static value as its own repr).

    Example:
        >>> repr(Token(' Ab '))
        ' Ab '
    """

    text: str

    def __repr__(self) -> str:
        return self.text


statics = st.one_of(
    st.none(),
    st.integers(-3, 300),
    st.from_regex(r'[a-z]{0,3}', fullmatch=True),
    st.booleans(),
    st.sampled_from((0.5, -1.5, 1.0, 2.0)),
    st.tuples(st.integers(0, 2), st.sampled_from('ab')),
    st.tuples(st.integers(0, 2), st.sampled_from('ab')).map(UnnamedTuple),
    st.sampled_from((len, abs, jnp.float32, np.dtype('int8'))),
    st.tuples(
        st.sampled_from(('', ' ')),
        st.text(st.sampled_from('AXYZbxyz<>'), min_size=1, max_size=3),
        st.sampled_from(('', ' ', '\n')),
    ).map(lambda parts: Token(''.join(parts))),
)

#: Static values that cannot be hashed (sets, bytearrays): TREE-DEFINITION compares
#: them by identity, and unequal ones always differ.
unhashable_statics = st.one_of(
    st.sets(st.integers(0, 3), max_size=2),
    st.binary(max_size=2).map(bytearray),
)

DTYPES = ('float32', 'int32', 'float16', 'bool', 'int8', 'uint8')
#: The dtypes that ``jax.grad`` differentiates.
FLOAT_DTYPES = ('float32', 'float16')
FLAVORS = ('jax', 'numpy', 'scalar')

#: The array types drawn by default. Numpy scalars are left to the TREE-LEAF-TYPES
#: property: an implementation that treats them apart then fails that row, instead of
#: every row whose shrunk counterexample would become a lone numpy scalar.
DEFAULT_FLAVORS = ('jax', 'numpy')


@dataclasses.dataclass(frozen=True)
class Options:
    r"""What :func:`graphs` may draw.

    Attributes:
        max_nodes: Soft bound on the number of nodes of the owned tree.
        max_depth: Bound on the nesting depth of the owned tree.
        max_children: Bound on the number of children of one container.
        max_extras: Bound on the number of extra positions (ties, twins, copies).
        root: ``'scope'``, ``'module'``, or :py:`None` for either.
        scopes: Whether nested Scopes may appear.
        cycles: Whether extra positions may close cycles.
        references: Whether References may appear.
        statics: Whether static values may appear.
        entries: Whether StateEntry nodes may appear.
        force_cycle: Whether to close at least one cycle through a Reference;
            :py:`None` draws whether to.
        dtypes: The array dtypes to draw from.
        flavors: The array types to draw from, among :data:`FLAVORS`.
        max_rank: Bound on the number of array dimensions.
    """

    max_nodes: int = 30
    max_depth: int = 5
    max_children: int = 4
    max_extras: int = 6
    root: str | None = None
    scopes: bool = True
    cycles: bool = True
    references: bool = True
    statics: bool = True
    entries: bool = False
    force_cycle: bool | None = False
    dtypes: tuple[str, ...] = DTYPES
    flavors: tuple[str, ...] = DEFAULT_FLAVORS
    max_rank: int = 3


@st.composite
def _spanned(draw, build):
    return build(draw)


class _Builder:
    r"""Grows one graph from draws: first an owned tree (each node has one owner),
    then extra positions for existing References, twins and plain copies."""

    def __init__(self, draw: st.DrawFn, options: Options):
        self.draw = draw
        self.o = options
        self.nodes: list[dict[str, Any]] = []
        self.owner: list[int | None] = []
        self.namespace: list[int | None] = []  # scope of the positions of a node's children
        self.refs: list[int] = []
        self.tags: dict[int | None, set[Any]] = {}
        self.frozen: set[int] = set()
        self.seeds = 0
        self.added = 0  # extra positions so far

    # The owned tree.

    def add(self, kind: str, owner: int | None, **fields) -> int:
        i = len(self.nodes)
        self.nodes.append(dict(kind=kind, keys=[], children=[], **fields))
        self.owner.append(owner)
        outer = self.namespace[owner] if owner is not None else None
        self.namespace.append(i if kind == 'scope' else outer)
        return i

    def leaf_kinds(self) -> list[str]:
        kinds = ['array', 'param']
        if self.o.statics:
            kinds.append('static')
        if self.o.entries:
            kinds.append('entry')
        return kinds

    def node_kinds(self, depth: int, target: bool = False) -> list[str]:
        r"""The kinds a new node may have; ``target`` for the value of a Reference."""

        if len(self.nodes) >= self.o.max_nodes or depth >= self.o.max_depth:
            return self.leaf_kinds()
        kinds = ['module', 'array', 'list'] if target else ['array', 'module', 'list']
        if self.o.references and not target:
            kinds += ['ref', 'ref']  # ties and cycles need References: draw them often
        kinds += ['param', 'dict', 'tuple', 'stack', 'record', 'box']
        if self.o.statics and not target:
            kinds.append('static')
        if self.o.scopes:
            kinds.append('scope')
        if self.o.entries:
            kinds += ['entry', 'entry']  # as often as arrays and Parameters together
        if target:
            kinds += ['module', 'list', 'dict']  # cycles need mutable values
            # A Reference may hold a Reference (a node held once, under one tag) or a
            # static value (a value: no tie needs to keep its identity). Chains of
            # References are drawn twice as often as other kinds: an implementation that
            # collapses them or loses the inner tags shows only on a chain.
            if self.o.statics:
                kinds.append('static')
            kinds += ['ref', 'ref']
        return kinds

    def node(self, depth: int, owner: int | None, kind: str | None = None, target: bool = False) -> int:
        if kind is None:
            kind = self.draw(st.sampled_from(self.node_kinds(depth, target)))
        if kind == 'array':
            return self.array(owner)
        if kind == 'static':
            return self.add('static', owner, value=self.draw(statics), wrapped=self.draw(st.integers(0, 3)) == 0)
        if kind in ('param', 'entry'):
            i = self.add(kind, owner)
            child = self.array(i)
            self.nodes[i]['children'].append(child)
            return i
        if kind == 'ref':
            namespace = self.namespace[owner] if owner is not None else None
            i = self.add('ref', owner, tag=self.fresh_tag(namespace))
            self.refs.append(i)
            self.nodes[i]['children'].append(self.node(depth + 1, i, target=True))
            return i
        i = self.add(kind, owner)
        while self.span(lambda: self.child(i, depth)):
            pass
        if target and kind == 'tuple' and not self.nodes[i]['children']:
            # Python has one empty tuple: two References to "two" would hold one object.
            self.nodes[i]['children'].append(self.array(i))
        return i

    def child(self, i: int, depth: int) -> bool:
        r"""Adds one more child to container ``i``, if drawn; returns whether it did."""

        children = self.nodes[i]['children']
        # Draw first, even when full: then every list of items ends with a "no more"
        # draw, and deleting an item does not shift the draws that follow.
        if not self.more() or len(children) >= self.o.max_children:
            return False
        if children and len(self.nodes) >= self.o.max_nodes:
            return False
        if self.nodes[i]['kind'] in KEYED:
            self.nodes[i]['keys'].append(self.fresh_name(self.nodes[i]['keys']))
        children.append(self.node(depth + 1, i))
        return True

    def more(self) -> bool:
        r"""Whether to add one more item (three times in four)."""

        return self.draw(st.integers(0, 3)) > 0

    def span(self, build: Callable[[], Any]) -> Any:
        r"""Runs ``build`` inside a nested strategy, so that its draws form one span
        that the shrinker can delete whole (an item, with its decision to exist)."""

        outer = self.draw

        def inner(draw):
            self.draw = draw
            try:
                return build()
            finally:
                self.draw = outer

        return outer(_spanned(inner))

    def fresh_name(self, used: list[str]) -> str:
        name = self.draw(names)
        while name in used:
            name = name + '_'
        return name

    def array(self, owner: int | None) -> int:
        rank = self.draw(st.integers(0, self.o.max_rank))
        shape = tuple(self.draw(st.lists(st.integers(0, 3), min_size=rank, max_size=rank)))
        self.seeds += 1
        flavor = self.draw(st.sampled_from(self.o.flavors))
        if flavor == 'scalar' and rank:
            flavor = 'numpy'
        return self.add(
            'array',
            owner,
            shape=shape,
            dtype=self.draw(st.sampled_from(self.o.dtypes)),
            flavor=flavor,
            seed=self.seeds,
        )

    def fresh_tag(self, namespace: int | None) -> Any:
        used = self.tags.setdefault(namespace, set())
        tag = self.draw(tags)
        while tag in used:  # a new Reference needs a tag of its own in its scope
            tag = (tag, len(used))
        used.add(tag)
        return tag

    # Extra positions.

    def containers(self) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n['kind'] in CONTAINERS]

    def graph(self) -> Graph:
        return Graph(
            tuple(
                Node(
                    kind=n['kind'],
                    keys=tuple(n['keys']),
                    children=tuple(n['children']),
                    **{k: v for k, v in n.items() if k not in ('kind', 'keys', 'children')},
                )
                for n in self.nodes
            )
        )

    def owned_below(self, top: int, i: int | None) -> bool:
        while i is not None:
            if i == top:
                return True
            i = self.owner[i]
        return False

    def frozen_at(self, i: int) -> bool:
        return any(self.owned_below(f, i) for f in self.frozen)

    def tie_candidates(self, ref: int) -> list[int]:
        r"""Containers where another occurrence of ``ref`` keeps the graph valid."""

        home = self.namespace[ref]
        target = self.nodes[ref]['children'][0]
        graph = self.graph()
        below = subtree(graph, target)  # a position there closes a cycle through the target
        if home is None:  # outside scopes: a plain copy, whose value holds no Reference
            if any(graph[j].kind in ('ref', 'scope') for j in below):
                return []
            return [
                c for c in self.containers() if self.namespace[c] is None and c not in below and not self.frozen_at(c)
            ]
        # A cycle needs a mutable object on it to be built at all: here, the target.
        closes = self.o.cycles and self.nodes[target]['kind'] in MUTABLE
        return [
            c
            for c in self.containers()
            if self.namespace[c] == home and not self.frozen_at(c) and (closes or c not in below)
        ]

    def place(self, container: int, child: int) -> None:
        n = self.nodes[container]
        if n['kind'] in KEYED:
            n['keys'].append(self.fresh_name(n['keys']))
            n['children'].append(child)
        else:
            at = self.draw(st.integers(0, len(n['children'])))
            n['children'].insert(at, child)

    def extras(self) -> None:
        r"""Adds extra positions until a draw says to stop (or :attr:`Options.max_extras`)."""

        while self.span(self.extra):
            pass

    def extra(self) -> bool:
        r"""Adds one extra position, if drawn: another occurrence of a Reference, a twin
        of one, a new Reference that holds one, or a copy of an array, Parameter or
        static value (an array or static value possibly under a new tag). Returns
        whether to go on."""

        if not self.more() or self.added >= self.o.max_extras:
            return False
        self.added += 1
        kind = self.draw(st.sampled_from(('tie', 'cycle', 'twin', 'cycle', 'copy', 'wrap')))
        if kind == 'copy':
            copies = [i for i, n in enumerate(self.nodes) if n['kind'] in ('array', 'param', 'static')]
            if copies:
                container = self.draw(st.sampled_from(self.containers()))
                # Under a new tag, preferably a value that a Reference holds already: arrays
                # and static values are values, not identities, so they may be held under
                # several tags (SHARE-ALIAS). Not a plain tuple of static values: SPEC.md
                # counts tuples among the nodes too, so whether one tuple may have two
                # tags is left open (the reference raises AliasError).
                values = [
                    i
                    for i in copies
                    if self.nodes[i]['kind'] == 'array'
                    or self.nodes[i]['kind'] == 'static'
                    and (self.nodes[i]['wrapped'] or type(self.nodes[i]['value']) is not tuple)
                ]
                tagged = self.o.references and values and self.draw(st.booleans())
                if tagged:
                    held = {self.nodes[r]['children'][0] for r in self.refs}
                    copies = [i for i in values if i in held] or values
                value = self.draw(st.sampled_from(copies))
                if tagged:
                    ref = self.add('ref', container, tag=self.fresh_tag(self.namespace[container]))
                    self.nodes[ref]['children'].append(value)
                    self.refs.append(ref)
                    value = ref
                self.place(container, value)
            return True
        refs = self.refs
        if kind == 'wrap':  # a Reference held by a new one, if no Reference holds its tag yet
            # Not its twin either: twins come back from a flatten as one Reference, which
            # two tags would then hold (SPEC.md leaves open whether a flatten before
            # that must raise AliasError already).
            held = {
                (self.namespace[c], self.nodes[c]['tag'])
                for c in (self.nodes[r]['children'][0] for r in self.refs)
                if self.nodes[c]['kind'] == 'ref'
            }
            refs = [r for r in self.refs if (self.namespace[r], self.nodes[r]['tag']) not in held]
        if not refs:
            return True
        ref = self.draw(st.sampled_from(refs))
        candidates = self.tie_candidates(ref)
        if kind == 'cycle':  # prefer a position inside the value: a cycle
            target = self.nodes[ref]['children'][0]
            candidates = [c for c in candidates if self.owned_below(target, c)] or candidates
        if not candidates:
            return True
        container = self.draw(st.sampled_from(candidates))
        if kind == 'twin':
            twin = dict(self.nodes[ref], keys=[], children=list(self.nodes[ref]['children']))
            self.nodes.append(twin)
            self.owner.append(container)
            self.namespace.append(self.namespace[ref])
            ref = len(self.nodes) - 1
            self.refs.append(ref)
        if self.namespace[ref] is None:
            self.frozen.add(self.nodes[ref]['children'][0])
        if kind == 'wrap':  # in the same scope: a node held once, under the new tag
            outer = self.add('ref', container, tag=self.fresh_tag(self.namespace[container]))
            self.nodes[outer]['children'].append(ref)
            self.refs.append(outer)
            ref = outer
        self.place(container, ref)
        return True

    def tie_arrays(self) -> None:
        r"""Adds another occurrence of a Reference whose value holds arrays, if one has a
        place: only such a tie changes the leaves and their paths, which most properties
        compare, and random extras tie one in only about a sixth of the graphs."""

        graph = self.graph()
        leafy = [
            r for r in self.refs if any(graph[i].kind == 'array' for i in subtree(graph, self.nodes[r]['children'][0]))
        ]
        fitting = [r for r in leafy if self.tie_candidates(r)]
        if fitting:
            ref = self.draw(st.sampled_from(fitting))
            if self.namespace[ref] is None:
                self.frozen.add(self.nodes[ref]['children'][0])
            self.place(self.draw(st.sampled_from(self.tie_candidates(ref))), ref)

    def close_cycle(self) -> None:
        r"""Adds an occurrence of a scoped Reference inside its own value. Without a
        fitting Reference, first adds one, to a new module, to a Scope (a new one under
        the root if there is none)."""

        fits = [
            r
            for r in self.refs
            if self.namespace[r] is not None
            and self.nodes[self.nodes[r]['children'][0]]['kind'] in MUTABLE
            and self.namespace[self.nodes[r]['children'][0]] == self.namespace[r]
        ]
        if fits:
            ref = self.draw(st.sampled_from(fits))
        else:
            scopes = [i for i, n in enumerate(self.nodes) if n['kind'] == 'scope']
            if scopes:
                holder = self.draw(st.sampled_from(scopes))
            else:
                holder = self.add('scope', 0)
                self.place(0, holder)
            ref = self.add('ref', holder, tag=self.fresh_tag(holder))
            self.refs.append(ref)
            self.nodes[ref]['children'].append(self.add('module', ref))
            self.place(holder, ref)
        target = self.nodes[ref]['children'][0]
        inside = [
            c for c in self.containers() if self.owned_below(target, c) and self.namespace[c] == self.namespace[ref]
        ]
        self.place(self.draw(st.sampled_from(inside)), ref)


@st.composite
def graphs(draw, options: Options | None = None, **kwargs) -> Graph:
    r"""Valid sharing graphs: SPEC.md says what flattening each must give.

    Arguments:
        options: An :class:`Options`; keyword arguments override its fields.
    """

    options = dataclasses.replace(options or Options(), **kwargs)
    builder = _Builder(draw, options)
    builder.node(0, None, kind=options.root or draw(st.sampled_from(('scope', 'module'))))
    builder.extras()
    if builder.more():  # three times in four
        builder.tie_arrays()
    force = options.force_cycle
    if force is None:  # drawn last, so that shrinking drops a cycle a failure does not need
        force = draw(st.booleans())
    if force and not builder.graph().cycle_edges():
        builder.close_cycle()
    return builder.graph()


def sharing_graphs(**kwargs) -> st.SearchStrategy:
    r"""Valid graphs, about half of them with a cycle through a Reference (keyword
    arguments as for :func:`graphs`)."""

    return graphs(force_cycle=None, **kwargs)


# Defects. Each injector draws a valid graph and adds one defect to it.


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
    or by References of two scopes (SHARE-ALIAS). The kind is drawn first; a
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
        added = [
            Node('scope', keys=('inner',), children=(start + 1,)),
            Node('ref', tag=graph[ref].tag, children=(target,)),
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


@st.composite
def edited_graphs(draw, graph: Graph) -> Graph:
    r"""``graph`` with one edit of its structure or none: a Reference retagged, two
    References swapped between their positions, a position given a twin of its
    Reference, a key renamed (an attribute, dict key or field), or a node retyped (see
    :data:`RETYPES`); and, half of the time and always without such an edit, arrays
    given other values of the same shape and dtype. The edit may change the structure
    or not (a twin and new values do not): the model says which. An edit may also make
    the graph invalid (a tag conflict, a Scope that unties a tie); callers reject those.
    (Changed static values are TREE-STATIC's business.)"""

    nodes = list(graph.nodes)
    positions = [
        (i, n)
        for i, node in enumerate(nodes)
        for n, child in enumerate(node.children)
        if nodes[child].kind == 'ref' and node.kind != 'ref'
    ]
    keyed = [i for i, node in enumerate(nodes) if node.kind in KEYED and node.keys]
    arrays = [i for i, node in enumerate(nodes) if node.kind == 'array']
    swaps = [
        (a, b)
        for a in positions
        for b in positions
        if a < b and nodes[a[0]].children[a[1]] != nodes[b[0]].children[b[1]]
    ]
    edits = [
        e
        for e, possible in (
            ('retag', positions),
            ('swap', swaps),
            ('twin', positions),
            ('rekey', keyed),
            ('retype', _retypable(nodes)),
            ('none', arrays),
        )
        if possible
    ]
    if not edits:
        return graph
    edit = draw(st.sampled_from(edits))
    if edit == 'retag':
        i, n = draw(st.sampled_from(positions))
        ref = nodes[i].children[n]
        old = nodes[ref].tag
        used = sorted({node.tag for node in nodes if node.kind == 'ref'} - {old}, key=repr)
        new_tags = st.sampled_from(used) | tags if used else tags
        nodes[ref] = dataclasses.replace(nodes[ref], tag=draw(new_tags.filter(lambda tag: tag != old)))
    elif edit == 'rekey':
        i = draw(st.sampled_from(keyed))
        keys = list(nodes[i].keys)
        n = draw(st.integers(0, len(keys) - 1))
        new = draw(names)
        while new in keys:
            new = new + '_'
        keys[n] = new
        nodes[i] = dataclasses.replace(nodes[i], keys=tuple(keys))
    elif edit == 'retype':
        i = draw(st.sampled_from(_retypable(nodes)))
        kinds = RETYPES[nodes[i].kind]
        kind = draw(st.sampled_from([k for k in kinds if k in NAMESPACES] if i == 0 else kinds))
        nodes[i] = dataclasses.replace(nodes[i], kind=kind)
    elif edit in ('swap', 'twin'):  # positions of two different References, or one
        chosen = list(draw(st.sampled_from(swaps))) if edit == 'swap' else [draw(st.sampled_from(positions))]
        targets = [nodes[i].children[n] for i, n in chosen]
        if edit == 'twin':
            nodes.append(nodes[targets[0]])
            targets = [len(nodes) - 1]
        else:
            targets.reverse()
        for (i, n), target in zip(chosen, targets, strict=True):
            children = list(nodes[i].children)
            children[n] = target
            nodes[i] = dataclasses.replace(nodes[i], children=tuple(children))
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
