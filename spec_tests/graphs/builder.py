r"""Hypothesis strategies for random valid sharing graphs.

:func:`graphs` draws valid graphs: modules with random attribute names, lists, tuples,
dicts, named tuples and foreign JAX nodes (:mod:`spec_tests.graphs.foreign`) as branches,
Parameters and arrays of random shapes and dtypes (jax and numpy), static values (see
:data:`~spec_tests.graphs.values.statics`), References whose tags recur at several
positions (the same Reference object, or *twins*: distinct References with the same tag
and value), cycles through References (self-cycles, 2-cycles, long cycles, cycles through
lists and dicts), nested Scopes, References reachable only through other References,
References whose value is another Reference or a static value, and plain Python sharing
of arrays and Parameters. A graph grows as :mod:`.draft` nodes: first an owned tree (each
node has one owner), then extra positions for existing References, twins and plain copies.
Graphs with one defect each are in :mod:`.defects`, edits of graphs in :mod:`.edits`.

Every strategy draws plain values (no randomness of its own), so failures shrink to
small graphs whose :func:`repr` is readable Python (see :class:`spec_tests.graphs.graph.Graph`).
The strategies depend only on :mod:`spec_tests.graphs`; other projects can import them and
write their own materializer.

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
from collections.abc import Callable, Hashable
from typing import Any

from hypothesis import strategies as st

from .draft import Attrs, Draft, Drafts
from .graph import KEYED, MUTABLE, NAMESPACES, Graph, subtree
from .options import Options
from .values import names, statics, tags

#: The kinds of extra positions, drawn alike (cycles twice as often): another occurrence
#: of a Reference (a tie, a cycle), a twin of one, a new Reference that holds one (a
#: wrap), or a copy of an array, Parameter or static value.
EXTRAS = ('tie', 'cycle', 'twin', 'cycle', 'copy', 'wrap')


@st.composite
def _spanned(draw, build):
    return build(draw)


def _taggable(draft: Draft) -> bool:
    r"""Whether a copy of this node may be held under a new tag: arrays and static values
    are values, not identities, so they may be held under several tags (SHARE-ALIAS).
    Not a plain tuple of static values: SPEC.md counts tuples among the nodes too, so
    whether one tuple may have two tags is left open (the reference raises AliasError).
    A wrapped one is a static value whether or not the implementation has a wrapper
    (see :func:`spec_tests.oracle.materialize.static_value`)."""

    if draft.kind == 'array':
        return True
    return draft.kind == 'static' and (draft.attrs.wrapped or type(draft.attrs.value) is not tuple)


class _Builder:
    r"""Grows one graph from draws: first an owned tree (each node has one owner),
    then extra positions for existing References, twins and plain copies."""

    def __init__(self, draw: st.DrawFn, options: Options):
        self.draw = draw
        self.o = options
        self.nodes = Drafts()
        self.tags: dict[int | None, set[Any]] = {}  # the tags used in each namespace
        self.settled: set[int] = set()  # values of unscoped References placed twice
        self.seeds = 0
        self.added = 0  # extra positions so far

    # Draws.

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

    def fresh_tag(self, namespace: int | None) -> Hashable:
        used = self.tags.setdefault(namespace, set())
        tag = self.draw(tags)
        while tag in used:  # a new Reference needs a tag of its own in its scope
            tag = (tag, len(used))
        used.add(tag)
        return tag

    # The owned tree.

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
        r"""Adds a node of the owned tree under ``owner``, its kind drawn unless given,
        and its children; ``target`` for the value of a Reference."""

        if kind is None:
            kind = self.draw(st.sampled_from(self.node_kinds(depth, target)))
        if kind == 'array':
            return self.array(owner)
        if kind == 'static':
            value = self.draw(statics)
            return self.nodes.add('static', owner, Attrs(value=value, wrapped=self.draw(st.integers(0, 3)) == 0))
        if kind in ('param', 'entry'):
            i = self.nodes.add(kind, owner)
            self.nodes.attach(i, self.array(i))
            return i
        if kind == 'ref':
            i = self.reference(owner)
            self.nodes.attach(i, self.node(depth + 1, i, target=True))
            return i
        if kind in NAMESPACES:  # SPEC.md, Terms: a module of the implementation's class or the user's
            i = self.nodes.add(kind, owner, Attrs(user_class=self.draw(st.booleans())))
        else:
            i = self.nodes.add(kind, owner)
        while self.span(lambda: self.child(i, depth)):
            pass
        if target and kind == 'tuple' and not self.nodes[i].children:
            # Python has one empty tuple: two References to "two" would hold one object.
            self.nodes.attach(i, self.array(i))
        return i

    def child(self, i: int, depth: int) -> bool:
        r"""Adds one more child to container ``i``, if drawn; returns whether it did."""

        container = self.nodes[i]
        # Draw first, even when full: then every list of items ends with a "no more"
        # draw, and deleting an item does not shift the draws that follow.
        if not self.more() or len(container.children) >= self.o.max_children:
            return False
        if container.children and len(self.nodes) >= self.o.max_nodes:
            return False
        key = self.fresh_name(container.keys) if container.kind in KEYED else None
        self.nodes.attach(i, self.node(depth + 1, i), key=key)
        return True

    def array(self, owner: int | None) -> int:
        rank = self.draw(st.integers(0, self.o.max_rank))
        shape = tuple(self.draw(st.lists(st.integers(0, 3), min_size=rank, max_size=rank)))
        self.seeds += 1
        flavor = self.draw(st.sampled_from(self.o.flavors))
        if flavor == 'scalar' and rank:
            flavor = 'numpy'
        dtype = self.draw(st.sampled_from(self.o.dtypes))
        return self.nodes.add('array', owner, Attrs(shape=shape, dtype=dtype, flavor=flavor, seed=self.seeds))

    def reference(self, owner: int | None) -> int:
        r"""Adds a Reference under ``owner``, with a new tag and no value yet."""

        namespace = self.nodes[owner].namespace if owner is not None else None
        return self.nodes.add('ref', owner, Attrs(tag=self.fresh_tag(namespace)))

    # Extra positions.

    def extras(self) -> None:
        r"""Adds extra positions until a draw says to stop (or :attr:`Options.max_extras`)."""

        while self.span(self.extra):
            pass

    def extra(self) -> bool:
        r"""Adds one extra position of a kind among :data:`EXTRAS`, if drawn (and if one
        fits). Returns whether to go on."""

        if not self.more() or self.added >= self.o.max_extras:
            return False
        self.added += 1
        kind = self.draw(st.sampled_from(EXTRAS))
        if kind == 'copy':
            self.copy()
        else:
            self.reoccur(kind)
        return True

    def place(self, container: int, child: int) -> None:
        r"""Puts ``child`` at a drawn position of ``container``: under a new key, or at a
        drawn index of a sequence."""

        n = self.nodes[container]
        if n.kind in KEYED:
            self.nodes.attach(container, child, key=self.fresh_name(n.keys))
        else:
            self.nodes.attach(container, child, at=self.draw(st.integers(0, len(n.children))))

    def settled_at(self, i: int) -> bool:
        r"""Whether ``i`` lies inside the value of an unscoped Reference that occurs
        twice already: a plain copy, which no further position may change."""

        return any(self.nodes.owned_below(s, i) for s in self.settled)

    def settle(self, ref: int) -> None:
        r"""Notes that ``ref`` gets another position: outside Scopes, that makes its
        value a plain copy (see :meth:`settled_at`)."""

        if self.nodes[ref].namespace is None:
            self.settled.add(self.nodes[ref].target)

    def tie_candidates(self, ref: int) -> list[int]:
        r"""Containers where another occurrence of ``ref`` keeps the graph valid."""

        home = self.nodes[ref].namespace
        target = self.nodes[ref].target
        graph = self.nodes.graph()
        below = subtree(graph, target)  # a position there closes a cycle through the target
        if home is None:  # outside scopes: a plain copy, whose value holds no Reference
            if any(graph[j].kind in ('ref', 'scope') for j in below):
                return []
            return [
                c
                for c in self.nodes.containers()
                if self.nodes[c].namespace is None and c not in below and not self.settled_at(c)
            ]
        # A cycle needs a mutable object on it to be built at all: here, the target.
        closes = self.o.cycles and self.nodes[target].kind in MUTABLE
        return [
            c
            for c in self.nodes.containers()
            if self.nodes[c].namespace == home and not self.settled_at(c) and (closes or c not in below)
        ]

    def copy(self) -> None:
        r"""Adds a copy of an array, Parameter or static value to a drawn container; an
        array or static value possibly under a new tag, preferably one that a Reference
        holds already."""

        copies = self.nodes.of_kinds('array', 'param', 'static')
        if not copies:
            return
        container = self.draw(st.sampled_from(self.nodes.containers()))
        values = [i for i in copies if _taggable(self.nodes[i])]
        tagged = self.o.references and values and self.draw(st.booleans())
        if tagged:
            held = {self.nodes[r].target for r in self.nodes.refs}
            copies = [i for i in values if i in held] or values
        value = self.draw(st.sampled_from(copies))
        if tagged:
            ref = self.reference(container)
            self.nodes.attach(ref, value)
            value = ref
        self.place(container, value)

    def wrappable(self) -> list[int]:
        r"""The References that a new Reference may hold: those whose tag no Reference
        holds yet. Not a twin of one either: twins come back from a flatten as one
        Reference, which two tags would then hold (SPEC.md leaves open whether a
        flatten before that must raise AliasError already)."""

        held = {
            (self.nodes[c].namespace, self.nodes[c].attrs.tag)
            for c in (self.nodes[r].target for r in self.nodes.refs)
            if self.nodes[c].kind == 'ref'
        }
        return [r for r in self.nodes.refs if (self.nodes[r].namespace, self.nodes[r].attrs.tag) not in held]

    def reoccur(self, kind: str) -> None:
        r"""Adds another position of a drawn Reference where it keeps the graph valid: the
        Reference itself (a ``tie``, or a ``cycle`` through its value where possible), a
        ``twin`` of it, or a new Reference that holds it (a ``wrap``, in the same scope:
        a node held once, under the new tag)."""

        refs = self.wrappable() if kind == 'wrap' else self.nodes.refs
        if not refs:
            return
        ref = self.draw(st.sampled_from(refs))
        candidates = self.tie_candidates(ref)
        if kind == 'cycle':  # prefer a position inside the value: a cycle
            target = self.nodes[ref].target
            candidates = [c for c in candidates if self.nodes.owned_below(target, c)] or candidates
        if not candidates:
            return
        container = self.draw(st.sampled_from(candidates))
        if kind == 'twin':
            ref = self.nodes.add_twin(ref, container)
        self.settle(ref)
        if kind == 'wrap':
            outer = self.reference(container)
            self.nodes.attach(outer, ref)
            ref = outer
        self.place(container, ref)

    def tie_arrays(self) -> None:
        r"""Adds another occurrence of a Reference whose value holds arrays: only such a
        tie changes the leaves and their paths, which most properties compare, and random
        extras tie one in only about a sixth of the graphs. Without a Reference that fits,
        first adds one to a Parameter, in a Scope (a new one under the root if there is none)."""

        graph = self.nodes.graph()
        leafy = [
            r for r in self.nodes.refs if any(graph[i].kind == 'array' for i in subtree(graph, self.nodes[r].target))
        ]
        fitting = [r for r in leafy if self.tie_candidates(r)]
        if fitting:
            ref = self.draw(st.sampled_from(fitting))
        elif self.o.references and self.o.scopes:
            holder = self.scope()
            ref = self.reference(holder)
            self.nodes.attach(ref, self.node(0, ref, kind='param'))
            self.place(holder, ref)
        else:
            return
        self.settle(ref)
        self.place(self.draw(st.sampled_from(self.tie_candidates(ref))), ref)

    def scope(self) -> int:
        r"""A drawn Scope of the graph, or a new one under the root if there is none."""

        scopes = self.nodes.of_kinds('scope')
        if scopes:
            return self.draw(st.sampled_from(scopes))
        holder = self.nodes.add('scope', 0)
        self.place(0, holder)
        return holder

    def close_cycle(self) -> None:
        r"""Adds an occurrence of a scoped Reference inside its own value: a cycle through
        that Reference alone, through a second one that its value holds (two References
        holding each other), or through a new list or dict in its value (the four drawn
        alike). Without a fitting Reference, first adds one to a new module, in a Scope
        (a new one under the root if there is none)."""

        fits = [
            r
            for r in self.nodes.refs
            if self.nodes[r].namespace is not None
            and self.nodes[self.nodes[r].target].kind in MUTABLE
            and self.nodes[self.nodes[r].target].namespace == self.nodes[r].namespace
        ]
        if fits:
            ref = self.draw(st.sampled_from(fits))
        else:
            holder = self.scope()
            ref = self.reference(holder)
            self.nodes.attach(ref, self.nodes.add('module', ref))
            self.place(holder, ref)
        target, namespace = self.nodes[ref].target, self.nodes[ref].namespace
        through = self.draw(st.sampled_from(('itself', 'reference', 'list', 'dict')))
        if self.nodes[target].kind == 'scope':  # anything new in it would be in another namespace
            through = 'itself'
        if through == 'reference':
            inner = self.reference(target)
            self.nodes.attach(inner, self.nodes.add('module', inner))
            self.place(target, inner)
            target = self.nodes[inner].target
        elif through in ('list', 'dict'):
            holder = self.nodes.add(through, target)
            self.place(target, holder)
            self.place(holder, ref)
            return
        inside = [
            c
            for c in self.nodes.containers()
            if self.nodes.owned_below(target, c) and self.nodes[c].namespace == namespace
        ]
        self.place(self.draw(st.sampled_from(inside)), ref)


@st.composite
def graphs(draw, options: Options | None = None, **kwargs) -> Graph:
    r"""Valid sharing graphs: SPEC.md says what flattening each must give.

    Arguments:
        options: An :class:`~spec_tests.graphs.options.Options`; keyword arguments
            override its fields.
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
    if force and not builder.nodes.graph().cycle_edges():
        builder.close_cycle()
    return builder.nodes.graph()


def sharing_graphs(**kwargs) -> st.SearchStrategy:
    r"""Valid graphs, about half of them with a cycle through a Reference (keyword
    arguments as for :func:`graphs`)."""

    return graphs(force_cycle=None, **kwargs)
