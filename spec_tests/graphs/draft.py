r"""A graph under construction, as :mod:`.builder` grows it.

A :class:`Drafts` lists :class:`Draft` nodes whose keys and children still grow; each
knows its owner (the node it was drawn under) and its namespace (the Scope of its
children's positions), which say where a Reference may occur again. What a node holds
besides its children (:class:`Attrs`) is fixed when it is added. :meth:`Drafts.graph`
freezes the drafts into a :class:`~spec_tests.graphs.graph.Graph`.

Example:
    >>> drafts = Drafts()
    >>> root = drafts.add('scope', None)
    >>> ref = drafts.add('ref', root, Attrs(tag='t'))
    >>> drafts.attach(root, ref, key='a')
    >>> drafts.attach(ref, drafts.add('module', ref))
    >>> drafts.refs, drafts[ref].target, drafts[ref].namespace, drafts.containers()
    ([1], 2, 0, [0, 2])
    >>> print(drafts.graph())
    root = Scope()
    root.a = Reference('t', Module())
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any

from .graph import CONTAINERS, Graph, Node


@dataclasses.dataclass(frozen=True)
class Attrs:
    r"""What a node holds besides its children, as in :class:`~spec_tests.graphs.graph.Node`
    (whose defaults these are): the tag of a Reference; the shape, dtype, flavor and seed
    of an array; a static value and whether it is wrapped; whether a module or Scope is of
    the user's own class.

    Example:
        >>> Draft('array', owner=None, namespace=None).freeze() == Node('array')
        True
    """

    tag: Hashable = None
    shape: tuple[int, ...] = ()
    dtype: str = 'float32'
    flavor: str = 'jax'
    seed: int = 0
    value: Any = None
    wrapped: bool = False
    user_class: bool = False


@dataclasses.dataclass
class Draft:
    r"""A node under construction.

    Attributes:
        kind: One of :data:`~spec_tests.graphs.graph.KINDS`.
        owner: The node it was drawn under (:py:`None` for the root); for a twin, the
            container of its first position.
        namespace: The Scope that the positions of its children belong to: itself for a
            Scope, else its owner's (:py:`None` outside Scopes).
        attrs: What it holds besides its children.
        keys: The names of its children, in a keyed container.
        children: Its children's ids.
    """

    kind: str
    owner: int | None
    namespace: int | None
    attrs: Attrs = Attrs()
    keys: list[str] = dataclasses.field(default_factory=list)
    children: list[int] = dataclasses.field(default_factory=list)

    @property
    def target(self) -> int:
        r"""The value of a Reference (or Parameter, StateEntry): its one child."""

        return self.children[0]

    def freeze(self) -> Node:
        a = self.attrs
        return Node(
            self.kind,
            keys=tuple(self.keys),
            children=tuple(self.children),
            tag=a.tag,
            shape=a.shape,
            dtype=a.dtype,
            flavor=a.flavor,
            seed=a.seed,
            value=a.value,
            wrapped=a.wrapped,
            user_class=a.user_class,
        )


class Drafts:
    r"""The nodes of a graph under construction, node 0 the root."""

    def __init__(self) -> None:
        self.nodes: list[Draft] = []

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, i: int) -> Draft:
        return self.nodes[i]

    def add(self, kind: str, owner: int | None, attrs: Attrs = Attrs()) -> int:
        r"""Adds a node drawn under ``owner``, with no children yet; returns its id."""

        i = len(self.nodes)
        outer = self.nodes[owner].namespace if owner is not None else None
        self.nodes.append(Draft(kind, owner, i if kind == 'scope' else outer, attrs))
        return i

    def add_twin(self, ref: int, owner: int) -> int:
        r"""Adds a twin of Reference ``ref``: another Reference with its tag and value,
        first placed in ``owner``; returns its id."""

        twin = dataclasses.replace(self.nodes[ref], owner=owner, keys=[], children=list(self.nodes[ref].children))
        self.nodes.append(twin)
        return len(self.nodes) - 1

    def attach(self, container: int, child: int, key: str | None = None, at: int | None = None) -> None:
        r"""Puts ``child`` in ``container``: under ``key`` in a keyed container, else at
        index ``at`` (by default last)."""

        children = self.nodes[container].children
        if key is not None:
            self.nodes[container].keys.append(key)
        children.insert(len(children) if at is None else at, child)

    @property
    def refs(self) -> list[int]:
        r"""The References, in the order they were added."""

        return [i for i, n in enumerate(self.nodes) if n.kind == 'ref']

    def of_kinds(self, *kinds: str) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.kind in kinds]

    def containers(self) -> list[int]:
        return self.of_kinds(*CONTAINERS)

    def owned_below(self, top: int, i: int | None) -> bool:
        r"""Whether ``i`` is ``top`` or was drawn, directly or not, under it."""

        while i is not None:
            if i == top:
                return True
            i = self.nodes[i].owner
        return False

    def graph(self) -> Graph:
        return Graph(tuple(n.freeze() for n in self.nodes))
