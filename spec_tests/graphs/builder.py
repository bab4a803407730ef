r"""Hypothesis strategies for random sharing graphs.

:func:`graphs` draws valid graphs: modules with random attribute names, lists, tuples,
dicts, named tuples and foreign JAX nodes (:mod:`spec_tests.graphs.foreign`) as branches,
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
small graphs whose :func:`repr` is readable Python (see :class:`spec_tests.graphs.graph.Graph`).
The strategies depend only on :mod:`spec_tests.graphs.graph`, :mod:`spec_tests.oracle.model` and
:mod:`spec_tests.graphs.foreign`; other projects can import them and write their own
materializer.

Example:
    >>> from hypothesis import given
    >>> from spec_tests.runner.profiles import settings_for
    >>> @settings_for(10)
    ... @given(graphs(max_nodes=10))
    ... def test_root_is_a_module(graph):
    ...     assert graph[0].kind in ('module', 'scope')
    >>> test_root_is_a_module()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from .graph import CONTAINERS, KEYED, MUTABLE, Graph, Node, subtree
from .options import Options
from .values import names, statics, tags


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
