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

    def signature(self) -> tuple:
        r"""What a tree definition stands for (TREE-DEFINITION): for each instance, in
        flatten order, its kind, its value if static, its tag and scope frame if a
        Reference, and its children as ``(step, instance)`` pairs, where a pruned
        occurrence names its canonical instance. Leaves are only their position.

        Two graphs must give equal tree definitions exactly when their signatures are
        equal.
        """

        found = []
        for instance in self.instances:
            node = self.graph[instance.node]
            static = (type(node.value), node.value, node.wrapped) if instance.kind == 'static' else None
            tag = node.tag if instance.kind == 'ref' else None
            found.append((instance.kind, static, tag, instance.scope, tuple(instance.children)))
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


_EXIT = object()


def walk(graph: Graph, *, repr_scope: bool = False, entries_are_leaves: bool = False) -> Model:
    r"""Replays a flatten of ``graph`` as SPEC.md defines it.

    Arguments:
        graph: The graph.
        repr_scope: Open a scope at the root, as a ``repr`` does to mark every repeat
            (SHARE-REPR).
        entries_are_leaves: Treat StateEntry nodes as leaves, as ``export_state`` does.
    """

    frames = _Frames()
    instances: list[Instance] = []
    leaves: list[tuple[int, Path]] = []
    groups: dict[tuple[int, Hashable], list[Path]] = {}
    active: dict[int, Path] = {}
    root_frame = frames.open() if repr_scope else None

    def new(node: int, scope: int | None, path: Path) -> Instance:
        instance = Instance(len(instances), node, graph[node].kind, [], scope, path)
        instances.append(instance)
        return instance

    # Items: (node, path, frame, parent instance or None, step) or (_EXIT, node).
    stack: list[tuple] = [(0, (), root_frame, None, None)]
    while stack:
        item = stack.pop()
        if item[0] is _EXIT:
            del active[item[1]]
            continue
        i, path, frame, parent, step = item
        node = graph[i]

        if node.kind == 'ref' and frame is not None:
            key = (frame, node.tag)
            seen = frames.tags.get(key)
            if seen is not None:
                canonical, target, first_path = seen
                if target != node.children[0]:
                    return _failed(graph, Failure('TagConflictError', (first_path, path), i, (node.tag,)))
                groups[key].append(path)
                parent.children.append((step, canonical))
                continue
            target = node.children[0]
            if graph[target].kind in IDENTITIES:
                claim = frames.claims.get(target)
                if claim is not None:
                    tag, _, other = claim
                    return _failed(graph, Failure('AliasError', (other, path), i, (tag, node.tag)))
                frames.claims[target] = (node.tag, frame, path)
            instance = new(i, frame, path)
            frames.tags[key] = (instance.id, target, path)
            groups[key] = [path]
        elif node.kind == 'array' or (entries_are_leaves and node.kind == 'entry'):
            instance = new(i, None, path)
            leaves.append((instance.id, path))
        else:
            instance = new(i, None, path)

        if parent is not None:
            parent.children.append((step, instance.id))
        if node.kind in ('array', 'static') or (entries_are_leaves and node.kind == 'entry'):
            continue
        if not node.children:
            continue
        if i in active:
            error = 'CycleError'
            return _failed(graph, Failure(error, (active[i], path), i, (node.tag,) if node.kind == 'ref' else ()))
        active[i] = path
        inner = frames.open() if node.kind == 'scope' else frame
        stack.append((_EXIT, i))
        for child_step, child in reversed(node.ordered()):
            stack.append((child, path + (child_step,), inner, instance, child_step))

    return Model(graph, instances, leaves, groups, None)


def _failed(graph: Graph, failure: Failure) -> Model:
    return Model(graph, [], [], {}, failure)
