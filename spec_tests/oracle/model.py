r"""What SPEC.md says a flatten of a graph must give, computed from the description.

:func:`walk` replays the rules of SPEC.md on a :class:`~spec_tests.graphs.graph.Graph`
without any implementation: the flatten order (TREE-ORDER), scopes as tag namespaces
(SHARE-SCOPE-NAMESPACE), canonical first occurrences and pruning (SHARE-PRUNE-FIRST),
plain wrappers outside scopes (SHARE-UNSCOPED), and the errors (TREE-CYCLE-ERROR,
SHARE-TAG-CONFLICT, SHARE-ALIAS, SHARE-SELF-SCOPE). Its result, a :class:`Model`,
describes the tree that unflattening must give back as *instances*: every position
entered by the walk is one instance, and all occurrences of a tag in one scope share
the instance of their canonical occurrence. Properties compare implementations with
it, never with an implementation's own helpers.

Example:
    >>> from spec_tests.graphs.graph import Graph, Node
    >>> g = Graph((
    ...     Node('scope', keys=('a', 'b'), children=(1, 1)),
    ...     Node('ref', tag='t', children=(2,)),
    ...     Node('param', children=(3,)),
    ...     Node('array', shape=(2,)),
    ... ))
    >>> m = walk(g)
    >>> [m.keystr(path) for _, path in m.leaves]
    ['.a.value.value']
    >>> m.instance_at(m.parse('.b')) is m.instance_at(m.parse('.a'))
    True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

from ..graphs.graph import CONTAINERS, Graph, Path, Step, keystr

#: Kinds whose objects have an identity that a tie must keep (SHARE-ALIAS).
IDENTITIES = CONTAINERS + ('param', 'entry', 'ref')


@dataclasses.dataclass
class Instance:
    r"""One object of the unflattened tree.

    Attributes:
        id: Its index in :attr:`Model.instances`.
        node: The graph node it was built from.
        kind: The kind of that node.
        children: ``(step, instance id)`` pairs, in flatten order.
        scope: For a Reference in a scope, the scope's frame number; else :py:`None`.
        path: Its canonical path (where the walk first built it).
    """

    id: int
    node: int
    kind: str
    children: list[tuple[Step, int]]
    scope: int | None
    path: Path


@dataclasses.dataclass
class Failure:
    r"""The error a flatten must raise: its SPEC name, the paths it must name and,
    for a Reference, its tag."""

    error: str
    paths: tuple[Path, ...]
    node: int
    tags: tuple[Hashable, ...] = ()


@dataclasses.dataclass
class Model:
    r"""The expected result of flattening a graph.

    Attributes:
        graph: The graph.
        instances: Every instance; instance 0 is the root.
        leaves: ``(instance id, canonical path)`` of each leaf, in flatten order.
        groups: For each ``(scope frame, tag)``, the paths of its occurrences, canonical
            first.
        failure: The error the flatten must raise instead, if any.
    """

    graph: Graph
    instances: list[Instance]
    leaves: list[tuple[int, Path]]
    groups: dict[tuple[int, Hashable], list[Path]]
    failure: Failure | None

    def keystr(self, path: Path, reference_key: str = 'value') -> str:
        r"""The path as ``jax.tree_util.keystr`` prints it."""

        return keystr(path, reference_key)

    def parse(self, text: str) -> Path:
        r"""The path whose :meth:`keystr` is ``text`` (for doctests and examples)."""

        for path in self.paths():
            if keystr(path) == text:
                return path
        raise KeyError(text)

    def instance_at(self, path: Path) -> Instance:
        r"""The instance that ``path`` leads to."""

        instance = self.instances[0]
        for step in path:
            instance = self.instances[dict(instance.children)[step]]
        return instance

    def paths(self, limit: int = 400, per_instance: int = 6) -> list[Path]:
        r"""Access paths into the tree, canonical ones first: a depth-first enumeration
        that keeps at most ``per_instance`` paths to each instance and stops after
        ``limit`` paths. A path that reaches an instance already on it (a cycle) ends
        there, so every back edge of a cycle is followed once.

        The first path to each instance is its canonical path.
        """

        found: list[Path] = []
        count: dict[int, int] = {}
        work: list[tuple[int, Path, frozenset]] = [(0, (), frozenset())]
        while work and len(found) < limit:
            i, path, on_path = work.pop()
            if count.get(i, 0) >= per_instance:
                continue
            count[i] = count.get(i, 0) + 1
            found.append(path)
            if i in on_path:  # closed a cycle
                continue
            on_path = on_path | {i}
            for step, child in reversed(self.instances[i].children):
                work.append((child, path + (step,), on_path))
        return found

    def signature(self, tags: bool = True, classes: bool = True) -> tuple:
        r"""What a tree definition stands for (TREE-DEFINITION): for each instance, in
        flatten order, its kind, whether it is of the user's own class (unless ``classes``
        is false: a design whose modules the suite does not build), its value if static,
        its tag and scope frame if a Reference (unless ``tags`` is false: a design without
        the feature ``tags`` ties by identity alone), and its children as
        ``(step, instance)`` pairs, where a pruned occurrence names its canonical
        instance. Leaves are only their position.

        Two graphs must give equal tree definitions exactly when their signatures are
        equal.
        """

        found = []
        for instance in self.instances:
            node = self.graph[instance.node]
            static = (type(node.value), node.value, node.wrapped) if instance.kind == 'static' else None
            tag = node.tag if instance.kind == 'ref' and tags else None
            scope = instance.scope if tags else None
            user_class = node.user_class and classes
            found.append((instance.kind, user_class, static, tag, scope, tuple(instance.children)))
        return tuple(found)

    def uses(self, limit: int = 400) -> list[tuple[Path, int]]:
        r"""Access paths that end at a leaf, with the leaf's instance id."""

        return [
            (path, self.instance_at(path).id) for path in self.paths(limit) if self.instance_at(path).kind == 'array'
        ]


class _Frames:
    r"""Scope frames of one walk: the tags seen in each and the claimed identities."""

    def __init__(self):
        self.count = 0
        self.tags: dict[tuple[int, Hashable], tuple[int, int, Path]] = {}
        self.claims: dict[int, tuple[Hashable, int, Path]] = {}

    def open(self) -> int:
        self.count += 1
        return self.count


class _Failed(Exception):
    r"""Ends a walk with the error the flatten must raise."""

    def __init__(self, failure: Failure):
        super().__init__(failure.error)
        self.failure = failure


@dataclasses.dataclass(frozen=True, slots=True)
class _Visit:
    r"""A position to enter: ``node`` at ``path``, in scope ``frame``, as the ``step``
    child of instance ``parent`` (:py:`None` for the root)."""

    node: int
    path: Path
    frame: int | None
    parent: Instance | None
    step: Step | None


@dataclasses.dataclass(frozen=True, slots=True)
class _Exit:
    r"""Leaves ``node``: its positions below are done, so it is no longer on the path."""

    node: int


class _Walk:
    r"""The state of one walk: the instances built so far, the leaves and tag groups
    found, and the nodes on the current path (``active``), to find cycles."""

    def __init__(self, graph: Graph, entries_are_leaves: bool):
        self.graph = graph
        self.entries_are_leaves = entries_are_leaves
        self.frames = _Frames()
        self.instances: list[Instance] = []
        self.leaves: list[tuple[int, Path]] = []
        self.groups: dict[tuple[int, Hashable], list[Path]] = {}
        self.active: dict[int, Path] = {}

    def run(self, frame: int | None) -> None:
        r"""Walks the graph from the root, in scope ``frame``, depth first in flatten order."""

        stack: list[_Visit | _Exit] = [_Visit(0, (), frame, None, None)]
        while stack:
            item = stack.pop()
            if isinstance(item, _Exit):
                del self.active[item.node]
            else:
                stack += self.visit(item)

    def is_leaf(self, kind: str) -> bool:
        return kind == 'array' or (self.entries_are_leaves and kind == 'entry')

    def visit(self, v: _Visit) -> list[_Visit | _Exit]:
        r"""Enters one position; returns what to walk next (nothing below a leaf, a
        static value or a pruned occurrence)."""

        node = self.graph[v.node]
        if node.kind == 'ref' and v.frame is not None:
            canonical = self.repeat(v, v.frame)
            if canonical is not None:
                self.attach(v, canonical)
                return []
            instance = self.first_reference(v, v.frame)
        else:
            instance = self.new(v, None)
            if self.is_leaf(node.kind):
                self.leaves.append((instance.id, v.path))
        self.attach(v, instance.id)
        if self.is_leaf(node.kind) or node.kind == 'static' or not node.children:
            return []
        return self.enter(v, instance)

    def new(self, v: _Visit, scope: int | None) -> Instance:
        instance = Instance(len(self.instances), v.node, self.graph[v.node].kind, [], scope, v.path)
        self.instances.append(instance)
        return instance

    def attach(self, v: _Visit, instance: int) -> None:
        if v.parent is not None and v.step is not None:  # the root has neither
            v.parent.children.append((v.step, instance))

    def repeat(self, v: _Visit, frame: int) -> int | None:
        r"""For a Reference whose tag scope ``frame`` has seen: the canonical instance, which
        this occurrence prunes to (SHARE-PRUNE-FIRST), unless it holds another value
        (SHARE-TAG-CONFLICT). :py:`None` for a first occurrence."""

        node = self.graph[v.node]
        key = (frame, node.tag)
        seen = self.frames.tags.get(key)
        if seen is None:
            return None
        canonical, target, first_path = seen
        if target != node.children[0]:
            raise _Failed(Failure('TagConflictError', (first_path, v.path), v.node, (node.tag,)))
        self.groups[key].append(v.path)
        return canonical

    def first_reference(self, v: _Visit, frame: int) -> Instance:
        r"""The first occurrence of a tag in scope ``frame``: the canonical instance. Its value,
        if an identity, is claimed for this tag: another tag that holds it is an alias
        (SHARE-ALIAS)."""

        node = self.graph[v.node]
        target = node.children[0]
        if self.graph[target].kind in IDENTITIES:
            claim = self.frames.claims.get(target)
            if claim is not None:
                tag, _, other = claim
                raise _Failed(Failure('AliasError', (other, v.path), v.node, (tag, node.tag)))
            self.frames.claims[target] = (node.tag, frame, v.path)
        instance = self.new(v, frame)
        key = (frame, node.tag)
        self.frames.tags[key] = (instance.id, target, v.path)
        self.groups[key] = [v.path]
        return instance

    def enter(self, v: _Visit, instance: Instance) -> list[_Visit | _Exit]:
        r"""The children of a node, to walk in flatten order, in a new frame below a
        Scope; a node already on the path is a cycle (TREE-CYCLE-ERROR)."""

        node = self.graph[v.node]
        if v.node in self.active:
            tags = (node.tag,) if node.kind == 'ref' else ()
            raise _Failed(Failure('CycleError', (self.active[v.node], v.path), v.node, tags))
        self.active[v.node] = v.path
        inner = self.frames.open() if node.kind == 'scope' else v.frame
        children = [_Visit(child, v.path + (step,), inner, instance, step) for step, child in reversed(node.ordered())]
        return [_Exit(v.node), *children]


def walk(graph: Graph, *, repr_scope: bool = False, entries_are_leaves: bool = False) -> Model:
    r"""Replays a flatten of ``graph`` as SPEC.md defines it.

    Arguments:
        graph: The graph.
        repr_scope: Open a scope at the root, as a ``repr`` does to mark every repeat
            (SHARE-REPR).
        entries_are_leaves: Treat StateEntry nodes as leaves, as ``export_state`` does.
    """

    state = _Walk(graph, entries_are_leaves)
    try:
        state.run(state.frames.open() if repr_scope else None)
    except _Failed as failed:
        return Model(graph, [], [], {}, failed.failure)
    return Model(graph, state.instances, state.leaves, state.groups, None)
