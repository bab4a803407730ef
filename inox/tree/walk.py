r"""The walk: flatten a tree into its leaves and structure, and fold them back.

Every inox node presents itself to JAX as one node whose children are the arrays of
its whole subtree, keyed by their full paths (``.l1.value.bias.value``), and whose
auxiliary data is a :class:`Structure`. The subtree is walked here, with an explicit
stack, so that depth is bounded by memory rather than by Python's recursion limit.

The walk knows classes through a registry keyed by class (their *kinds*, see
:mod:`inox.tree.kinds`). A node may give its children a context of its own
(:py:`__tree_context__`, see :class:`Walk`); the walk knows nothing else of what
nodes do with it.
"""

from __future__ import annotations

__all__ = [
    'CycleError',
    'Flat',
    'Structure',
    'Walk',
    'flatten',
    'fold',
    'unflatten',
]

import functools
import gc
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from .kinds import KINDS, LEAF, STATIC, Static, StaticValue, kind_of
from .paths import TreePath, path_of, path_strings, shown


class CycleError(ValueError):
    r"""Raised when a tree contains itself other than through a pruned
    :class:`inox.nn.share.Reference` (TREE-CYCLE-ERROR); its message is built from
    its attributes.

    Attributes:
        kinds: The type name of the node that contains itself, as a 1-tuple.
        tags: Its tag if it has one (a Reference: :py:`__tree_tags__`), else empty.
        paths: The path strings of where the node is first entered and where it is
            entered again, inside itself (the root's is :py:`''`).

    Example:
        >>> error = CycleError('list', (), ('.a', '.a[0]'))
        >>> error.paths, str(error)  # doctest: +ELLIPSIS
        (('.a', '.a[0]'), 'list at .a[0] contains itself: it is its own ancestor at .a; ...')
    """

    def __init__(self, kind: str, tags: tuple, paths: tuple[str, str]):
        self.kinds, self.tags, self.paths = (kind,), tags, paths
        super().__init__(
            f'{_described(kind, tags)} at {shown(paths[1])} contains itself: '
            f'it is its own ancestor at {shown(paths[0])}; '
            'cycles are only allowed through a Reference inside a Scope'
        )

    def __reduce__(self):
        return CycleError, (self.kinds[0], self.tags, self.paths)


def _described(kind: str, tags: tuple) -> str:
    return f'{kind} with tag {tags[0]!r}' if tags else kind


class Walk:
    r"""What a node's :py:`__tree_flatten__` and :py:`__tree_context__` see of the walk
    in progress.

    Attributes:
        link: The link of the current node: the pair :py:`(parent's link, key)`, the
            root's being :py:`(None, None)`; :meth:`path` turns it into a path.
        context: What the closest ancestor with a :py:`__tree_context__` returned for
            its children, or :py:`None` below no such node.
        memo: A dict that lives as long as the walk, for the nodes' own bookkeeping
            (keyed by what the node classes choose).
        lenient: Whether the walk only describes the tree (for its repr) and should
            not raise on inconsistent trees.

    Example:
        >>> walk = Walk()
        >>> walk.context, walk.lenient, walk.path()
        (None, False, TreePath(''))
    """

    __slots__ = ('link', 'context', 'memo', 'lenient')

    def __init__(self, lenient: bool = False):
        self.link: Any = None
        self.context: Any = None
        self.memo: dict[Any, Any] = {}
        self.lenient = lenient

    def path(self) -> TreePath:
        r"""Returns the path of the current node; that of a node whose :py:`walk.link`
        was saved earlier is :py:`path_of(link)` (:func:`inox.tree.paths.path_of`)."""

        return path_of(self.link)


class Structure:
    r"""The structure of a flattened tree: everything but its leaves.

    It is a pre-order sequence of records :py:`(cls, aux, arity)`: the class of a
    node, its auxiliary data and its number of children; a leaf's record is
    :py:`(None, None, 0)`, a static value's :py:`(StaticValue, Static(value), 0)`.
    It is compared and hashed by value, so JAX can cache on it (it is the auxiliary
    data of inox nodes).

    Example:
        >>> flatten([jax.numpy.ones(1), 'a']).structure.records
        ((<class 'list'>, None, 2), (None, None, 0), (<class 'inox.tree.kinds.StaticValue'>, Static('a'), 0))
    """

    __slots__ = ('records', 'num_leaves', '_hash')

    def __init__(self, records: tuple, num_leaves: int):
        self.records = records
        self.num_leaves = num_leaves
        self._hash = None

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Structure) and (self is other or self.records == other.records)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.records)
        return self._hash

    def __repr__(self) -> str:
        return f'Structure({len(self.records)} nodes, {self.num_leaves} leaves)'

    def __reduce__(self):
        return Structure, (self.records, self.num_leaves)


class Flat(NamedTuple):
    r"""The result of :func:`flatten`: the leaves and the structure, and when asked for
    (else empty) the link (see :class:`Walk`) and the filter group of each leaf."""

    leaves: list[Any]
    structure: Structure
    links: list[Any]
    groups: list[int]

    @property
    def paths(self) -> list[TreePath]:
        r"""The path of each leaf, made from its link."""

        return [path_of(link) for link in self.links]

    @property
    def path_strings(self) -> list[str]:
        r"""The path string of each leaf, as :py:`str(path)` (see :func:`path_strings`)."""

        return path_strings(self.links)


_LEAF_RECORD = (None, None, 0)


def collector_paused(walk: Callable) -> Callable:
    r"""Pauses the cycle collector during a walk, or during a partition or a rebuild,
    which make an object or two per leaf.

    A walk allocates many small objects without cycles; each allocation burst would
    otherwise trigger full collections that rescan the whole heap, which makes the
    cost of walking large trees grow faster than their size. A decorated function is a
    line that calls the one doing the work: mutmut does not mutate decorated functions.
    Inline, not a :py:`with` block: a context manager's two Python calls cost a
    10-layer unflatten 5% more instructions.
    """

    @functools.wraps(walk)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return walk(*args, **kwargs)
        gc.disable()
        try:
            return walk(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@collector_paused
def flatten(
    tree: Any,
    *,
    is_leaf: Callable[[Any], bool] | None = None,
    filters: Sequence[Callable[[Any], bool]] | None = None,
    with_paths: bool = False,
    lenient: bool = False,
) -> Flat:
    r"""Flattens a tree into its leaves and structure, in one pass.

    Children are visited depth first, in the order their node lists them (attributes
    by name, dict keys sorted). A node that contains itself raises :class:`CycleError`
    (with :py:`lenient`, it is recorded as a static cycle mark instead). The cycle
    collector of the process is paused during the walk (see README).

    Arguments:
        tree: The tree.
        is_leaf: A predicate for nodes to keep whole as leaves.
        filters: Predicates; each leaf gets the index of the first one satisfied by
            its ancestor closest to the root (itself included), or -1.
        with_paths: Whether to return the path of each leaf.
        lenient: Whether the walk only describes the tree (see :class:`Walk`).

    Example:
        >>> flat = flatten({'b': [1.0, jax.numpy.ones(2)], 'a': 'x'}, with_paths=True)
        >>> flat.leaves, [str(p) for p in flat.paths]
        ([Array([1., 1.], dtype=float32)], ["['b'][1]"])
    """

    leaves, records, links, groups = _walk(tree, Walk(lenient), is_leaf, filters, with_paths)
    return Flat(leaves, Structure(tuple(records), len(leaves)), links, groups)


# `active` maps the ids of the nodes on the current path to their links, to detect
# cycles. A frame is a node whose children are being visited: (the iterator over its
# (key, child) pairs, its link, the context and the group of its children, the ids to
# leave `active` when it is done), a plain tuple unpacked by name: a named tuple would
# cost a constructor call per frame. A node with one child gets no frame: the walk goes
# straight down a *line* of such nodes, and the frame that ends the line (if any)
# leaves `active` for all of them; a node whose only child is a leaf (a Parameter)
# never enters it, as nothing below it can be itself. The first frame holds the root.
# Keys and children have equal lengths by the node protocol: zip does not check it
# (with a keyword argument, strict= or not, zip costs time on every frame).
def _walk(tree: Any, walk: Walk, is_leaf: Callable | None, filters: Sequence | None, with_paths: bool) -> tuple:
    r"""The loop of :func:`flatten`: the leaves, records, links of the leaves and groups."""

    leaves, records, links, groups, active = [], [], [], [], {}
    kinds = KINDS  # a local: it is read for every node
    frames: list[tuple] = [(iter(((None, tree),)), None, None, -1 if filters is None else None, ())]
    while frames:
        children_left, parent, context, group, frame_line = frames[-1]
        for key, node in children_left:  # leaves and static values stay in this loop
            above, node_context, node_group, line = parent, context, group, ()
            while True:  # down a line of nodes with one child each
                kind = LEAF if is_leaf is not None and is_leaf(node) else kinds.get(type(node)) or kind_of(node)
                if kind is STATIC:
                    records.append((StaticValue, Static(node), 0))
                    break
                if kind is LEAF:
                    if node_group is None:
                        node_group = _first_match(filters or (), node)
                    leaves.append(node)
                    records.append(_LEAF_RECORD)
                    if with_paths:
                        links.append((above, key))
                    if filters is not None:
                        groups.append(-1 if node_group is None else node_group)
                    break
                link = (above, key)
                walk.link, walk.context = link, node_context
                keys, children, aux = kind.flatten(node, walk)  # pyright: ignore[reportOptionalCall] (a node's kind)
                if not children or (node_id := id(node)) in active:  # no children, or a cycle
                    records.append(_repeat(node, walk, active) if children else (type(node), aux, 0))
                    break
                records.append((type(node), aux, len(children)))  # pre-order
                if node_group is None:  # (a node without children has no leaves to group)
                    node_group = _first_match(filters or (), node)
                if kind.context is not None:
                    node_context = kind.context(node, walk)
                if len(children) == 1:
                    above, key, node = link, keys[0], children[0]
                    if kinds.get(type(node)) is not LEAF:  # a node whose only child is a leaf cannot contain itself
                        active[node_id] = link
                        line += (node_id,)
                    continue
                active[node_id] = link
                frames.append((iter(zip(keys, children)), link, node_context, node_group, line + (node_id,)))  # noqa: B905
                line = None  # the new frame leaves `active` for the line
                break
            if line is None:
                break  # visit the new frame first
            for node_id in line:  # the line ended without a frame
                del active[node_id]
        else:  # all children of the frame are done
            frames.pop()
            for node_id in frame_line:
                del active[node_id]
    return leaves, records, links, groups


def _repeat(node: Any, walk: Walk, active: dict) -> tuple:
    r"""The record of a node met again below itself: a :class:`CycleError`, or a
    static cycle mark when the walk is lenient."""

    tags_of = getattr(type(node), '__tree_tags__', None)
    kind, tags = type(node).__name__, () if tags_of is None else tags_of(node)
    if not walk.lenient:
        raise CycleError(kind, tags, (str(path_of(active[id(node)])), str(walk.path())))
    return (StaticValue, Static(_CycleMark(_described(kind, tags))), 0)


class _CycleMark:
    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return f'<cycle: {self.description}>'


def _first_match(filters: Sequence[Callable[[Any], bool]], node: Any) -> int | None:
    for i, f in enumerate(filters):
        if f(node):
            return i
    return None


@collector_paused
def unflatten(structure: Structure, leaves: Iterable[Any]) -> Any:
    r"""Rebuilds a tree from its structure and leaves, restoring shared nodes. The
    cycle collector of the process is paused meanwhile (see README).

    Example:
        >>> flat = flatten([1, (jax.numpy.ones(2), 'a')])
        >>> unflatten(flat.structure, [None])
        [1, (None, 'a')]
    """

    leaves = list(leaves)
    if len(leaves) != structure.num_leaves:
        raise ValueError(f'expected {structure.num_leaves} leaves for this structure, got {len(leaves)}')

    kinds = KINDS  # a local: read once per class by fold
    return fold(structure, leaves, lambda cls: kinds[cls].build, {})  # pyright: ignore[reportArgumentType] (every record class has one)


def fold(structure: Structure, leaves: list[Any], node_of: Callable[[type], Callable], context: Any = None) -> Any:
    r"""Combines the leaves bottom up: each record of a node becomes
    :py:`node_of(cls)(aux, children, context)`. :py:`node_of` is called once per
    class, so that a node costs one call (as in :func:`unflatten`, where it is the
    kind's :py:`build`).

    The records are in pre-order, so read backwards every node comes after its
    children, the first child on top of the stack.

    Example:
        >>> flat = flatten([jax.numpy.ones(2), (jax.numpy.ones(3),)])
        >>> show = lambda cls: lambda aux, children, context: f'{cls.__name__}({" ".join(children)})'
        >>> print(fold(flat.structure, ['x', 'y'], show))
        list(x tuple(y))
    """

    nodes: dict[type, Callable] = {}
    stack: list[Any] = []
    position = len(leaves)
    for cls, aux, arity in reversed(structure.records):
        if cls is None:
            position -= 1
            stack.append(leaves[position])
            continue
        node = nodes.get(cls)
        if node is None:
            node = nodes[cls] = node_of(cls)
        if arity == 1:
            children = [stack.pop()]
        elif arity:
            children = stack[: -arity - 1 : -1]
            del stack[-arity:]
        else:
            children = []
        stack.append(node(aux, children, context))
    return stack[-1]
