r"""Trees of Python objects and their traversal.

A tree is any nesting of :class:`Namespace` objects (whose branches are their
attributes, sorted by name), lists, tuples, named tuples, dicts, other JAX pytree
nodes, arrays (the leaves) and other values (static: kept in the structure, not in
the leaves).

Every inox node presents itself to JAX as one node whose children are the arrays of
its whole subtree, keyed by their full paths (``.l1.value.bias.value``), and whose
auxiliary data is a :class:`Structure`. The subtree is walked here, with an explicit
stack, so that depth is bounded by memory rather than by Python's recursion limit,
and so that sharing (see :mod:`inox.nn.share`) is decided in a single pass with no
state outside the call.
"""

from __future__ import annotations

__all__ = [
    'CycleError',
    'LeafSpecError',
    'PartitionKeyError',
    'TreeDef',
    'Flat',
    'Namespace',
    'Static',
    'Structure',
    'TreePath',
    'flatten',
    'is_array',
    'is_node',
    'pathstr',
    'tree_partition',
    'tree_repr',
    'unflatten',
]

import functools
import gc

import jax
import jax.tree_util as jtu
import numpy as np

from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence

from .pretty import Block, Doc, bracket, render, wrap


def is_array(x: Any) -> bool:
    r"""Returns whether :py:`x` is an array, that is a leaf of a tree.

    Example:
        >>> is_array(jax.numpy.zeros(3)), is_array(3.0)
        (True, False)
    """

    return isinstance(x, (jax.Array, np.ndarray, np.generic))


def is_node(x: Any) -> bool:
    r"""Returns whether :py:`x` is a node of a tree, that is neither a leaf nor a
    static value (wrapped in :class:`Static` or not).

    Example:
        >>> is_node([1]), is_node(jax.numpy.zeros(1)), is_node('a'), is_node(Static([1]))
        (True, False, False, False)
    """

    return _kind(x).flatten is not None and not isinstance(x, Static)


class CycleError(ValueError):
    r"""Raised when a tree contains itself other than through a pruned
    :class:`inox.nn.share.Reference`."""


class TreePath(tuple):
    r"""Path of a leaf inside an inox node, used as one JAX key entry.

    Its string is the :func:`jax.tree_util.keystr` of its entries, so a leaf's full
    JAX key path prints as if every node on the way had been a JAX node.

    Example:
        >>> TreePath((jax.tree_util.GetAttrKey('l1'), jax.tree_util.SequenceKey(0)))
        TreePath('.l1[0]')
    """

    __slots__ = ()

    def __str__(self) -> str:
        return ''.join(map(str, self))  # what jax.tree_util.keystr does, without a copy

    def __repr__(self) -> str:
        return f'TreePath({str(self)!r})'


class Static:
    r"""Wraps a value to keep it in the structure of a tree instead of its leaves.

    Non-array values are static anyway; wrap a value explicitly to make an array
    static, or to keep a value out of the leaves of a plain JAX container.
    Hashable values compare by equality, others by identity.

    Example:
        >>> jax.tree_util.tree_leaves([Static('relu'), jax.numpy.ones(2)])
        [Array([1., 1.], dtype=float32)]
    """

    __slots__ = ('value',)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Static):
            return NotImplemented
        if self.value is other.value:
            return True
        if type(self.value) is not type(other.value) or is_array(self.value):
            return False
        try:
            hash(self.value)
        except TypeError:
            return False
        return bool(self.value == other.value)

    def __hash__(self) -> int:
        try:
            return hash((type(self.value), self.value))
        except TypeError:
            return id(self.value)

    def __repr__(self) -> str:
        return f'Static({self.value!r})'

    def __tree_flatten__(self, walk: Walk):
        return (), (), self

    @classmethod
    def __tree_unflatten__(cls, aux: Static, children: list, shared: dict) -> Static:
        return aux

    @classmethod
    def __tree_repr__(cls, aux: Static, children: List[Doc], **kwargs) -> Doc:
        return wrap('Static(', _show_leaf(aux.value, **kwargs), ')')


class Frame:
    r"""The tags met so far inside one scope, during one walk."""

    __slots__ = ('ordinal', 'tags')

    def __init__(self, ordinal: int):
        self.ordinal = ordinal
        self.tags: Dict[Any, Any] = {}


class Walk:
    r"""What a node's :py:`__tree_flatten__` may see of the walk in progress.

    Attributes:
        scope: The frame of the innermost open scope, or :py:`None`.
        memo: A dict that lives as long as the walk, for the nodes' own bookkeeping.
        lenient: Whether the walk only describes the tree (for its repr) and should
            not raise on inconsistent sharing.
    """

    __slots__ = ('link', 'scope', 'scopes', 'memo', 'lenient')

    def __init__(self, lenient: bool = False):
        self.link = None
        self.scope: Optional[Frame] = None
        self.scopes = 0
        self.memo: Dict[Any, Any] = {}
        self.lenient = lenient

    def path(self) -> TreePath:
        r"""Returns the path of the current node."""

        return _path(self.link)

    @staticmethod
    def path_at(link: Any) -> TreePath:
        r"""Returns the path of a node whose :py:`walk.link` was saved earlier."""

        return _path(link)

    def open_scope(self) -> Frame:
        self.scopes += 1
        return Frame(self.scopes)


def _path(link: Any) -> TreePath:
    keys = []
    while link is not None:
        link, key = link
        if key is not None:  # the root has no key
            keys.append(key)
    return TreePath(reversed(keys))


def pathstr(path: Sequence) -> str:
    r"""Returns the printable form of a path; the root is :py:`'<root>'`.

    Example:
        >>> pathstr(()), pathstr((jax.tree_util.GetAttrKey('a'),))
        ('<root>', '.a')
    """

    return jtu.keystr(tuple(path)) or '<root>'


class _Kind(NamedTuple):
    r"""How the walk handles one type: its children, how to rebuild and show it."""

    flatten: Optional[Callable]  # None for leaves and static values
    build: Optional[Callable]
    show: Optional[Callable]
    opens_scope: bool = False


class _Value:
    r"""Record type of a static value (as opposed to an explicit :class:`Static`)."""


def _sequence_flatten(x, walk):
    return [jtu.SequenceKey(i) for i in range(len(x))], x, None


def _namedtuple_flatten(x, walk):
    return [jtu.GetAttrKey(f) for f in x._fields], x, None


def _dict_flatten(x, walk):
    keys = sorted(x)
    return [jtu.DictKey(k) for k in keys], [x[k] for k in keys], tuple(keys)


def _foreign_flatten(x, walk):
    seen_root = []

    def below_root(y):  # flattens exactly one level
        if seen_root:
            return True
        seen_root.append(y)
        return False

    pairs, treedef = jtu.tree_flatten_with_path(x, is_leaf=below_root)
    return [path[0] for path, _ in pairs], [child for _, child in pairs], treedef


def _shows(bra, ket):
    return lambda aux, children, linewidth=88, **kwargs: bracket(bra, ket, children, linewidth)


def _show_dict(keys, children, linewidth=88, **kwargs):
    items = [wrap(f'{k!r}: ', c) for k, c in zip(keys, children)]
    return bracket('{', '}', items, linewidth)


_LEAF = _Kind(None, None, None)
_STATIC = _Kind(None, None, None)
_KINDS: Dict[type, _Kind] = {
    list: _Kind(_sequence_flatten, lambda aux, ch, sh: list(ch), _shows('[', ']')),
    tuple: _Kind(_sequence_flatten, lambda aux, ch, sh: tuple(ch), _shows('(', ')')),
    dict: _Kind(_dict_flatten, lambda aux, ch, sh: dict(zip(aux, ch)), _show_dict),
    _Value: _Kind(None, lambda aux, ch, sh: aux.value, lambda aux, ch, **kw: _show_leaf(aux.value, **kw)),
    type(None): _STATIC,
}


def _kind(x: Any) -> _Kind:
    kind = _KINDS.get(type(x))
    if kind is None:
        kind = _KINDS[type(x)] = _new_kind(x)
    return kind


def _new_kind(x: Any) -> _Kind:
    if is_array(x):
        return _LEAF
    if isinstance(x, tuple) and hasattr(type(x), '_fields') or not jtu.all_leaves([x]):
        return _node_kind(type(x))
    return _STATIC


def _node_kind(cls: type) -> _Kind:
    r"""The kind of a node class, from the class alone: unflatten meets classes, not
    instances, and must know them in a process that never flattened one (a pickle
    loaded elsewhere)."""

    kind = _KINDS.get(cls)
    if kind is not None:
        return kind
    if issubclass(cls, tuple) and hasattr(cls, '_fields'):
        kind = _Kind(_namedtuple_flatten, lambda aux, ch, sh: cls(*ch), _shows(f'{cls.__name__}(', ')'))
    else:  # a node registered with JAX: the structure holds its JAX tree definition
        kind = _Kind(
            _foreign_flatten,
            lambda treedef, ch, sh: treedef.unflatten(ch),
            _shows(f'{cls.__name__}(', ')'),
        )
    _KINDS[cls] = kind
    return kind


class Structure:
    r"""The structure of a flattened tree: everything but its leaves.

    It is a pre-order sequence of records :py:`(build, aux, arity)`, compared and
    hashed by value, so JAX can cache on it (it is the auxiliary data of inox nodes).
    """

    __slots__ = ('records', 'num_leaves', '_hash')

    def __init__(self, records: tuple, num_leaves: int):
        self.records = records
        self.num_leaves = num_leaves
        self._hash = None

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Structure) and (
            self is other or self.records == other.records
        )

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.records)
        return self._hash

    def __repr__(self) -> str:
        return f'Structure({len(self.records)} nodes, {self.num_leaves} leaves)'

    def __reduce__(self):
        return Structure, (self.records, self.num_leaves)


class Flat(NamedTuple):
    r"""The result of :func:`flatten`."""

    leaves: List[Any]
    structure: Structure
    paths: Optional[List[TreePath]]
    groups: Optional[List[int]]


_LEAF_RECORD = (None, None, 0)


def _describe(node: Any) -> str:
    tag = getattr(node, '__tree_tag__', None)
    name = type(node).__name__
    return name if tag is None else f'{name} with tag {tag!r}'


def _collector_paused(walk: Callable) -> Callable:
    r"""Pauses the cycle collector during a walk.

    A walk allocates many small objects without cycles; each allocation burst would
    otherwise trigger full collections that rescan the whole heap, which makes the
    cost of walking large trees grow faster than their size.
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


@_collector_paused
def flatten(
    tree: Any,
    *,
    is_leaf: Optional[Callable[[Any], bool]] = None,
    filters: Optional[Sequence[Callable[[Any], bool]]] = None,
    with_paths: bool = False,
    lenient: bool = False,
) -> Flat:
    r"""Flattens a tree into its leaves and structure, in one pass.

    Children are visited depth first, in the order their node lists them (attributes
    by name, dict keys sorted). A node that contains itself raises :class:`CycleError`
    (with :py:`lenient`, it is recorded as a static cycle mark instead).

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

    walk = Walk(lenient)
    leaves, records, links, groups = [], [], [], []
    active = {}  # the nodes on the current path, to detect cycles: id -> link
    kinds = _KINDS

    # A frame is a node whose children are being visited: (the iterator over its
    # (key, child) pairs, its link, the scope of its children, their group, the ids
    # to leave `active` when it is done). A node with one child needs no frame: the
    # walk goes straight down to the child, and the frame below it (if any) leaves
    # `active` for both. The first frame holds the root, with no key.
    root_scope = walk.open_scope() if lenient else None  # a repr marks repeats anywhere
    root_group = -1 if filters is None else None
    frames = [(iter(((None, tree),)), None, root_scope, root_group, ())]

    while frames:
        children_left, parent, scope, group, _ = frames[-1]

        for key, node in children_left:  # leaves and static values stay in this loop
            above, node_scope, node_group, descended = parent, scope, group, ()

            while True:  # down a line of nodes with one child each
                if is_leaf is not None and is_leaf(node):
                    kind = _LEAF
                else:
                    kind = kinds.get(type(node)) or _kind(node)

                if kind is _STATIC:
                    records.append((_Value, Static(node), 0))
                    break

                if node_group is None:
                    node_group = _first_match(filters, node)

                if kind is _LEAF:
                    leaves.append(node)
                    records.append(_LEAF_RECORD)
                    if with_paths:
                        links.append((above, key))
                    if filters is not None:
                        groups.append(-1 if node_group is None else node_group)
                    break

                link = (above, key)
                walk.link, walk.scope = link, node_scope
                keys, children, aux = kind.flatten(node, walk)

                if not children:
                    records.append((type(node), aux, 0))
                    break

                node_id = id(node)
                if node_id in active:
                    if not lenient:
                        raise CycleError(
                            f'{_describe(node)} at {pathstr(_path(link))} contains itself: '
                            f'it is its own ancestor at {pathstr(_path(active[node_id]))}; '
                            'cycles are only allowed through a Reference inside a Scope'
                        )
                    records.append((_Value, Static(_CycleMark(_describe(node))), 0))
                    break

                active[node_id] = link
                records.append((type(node), aux, len(children)))  # pre-order
                descended += (node_id,)
                if kind.opens_scope:
                    node_scope = walk.open_scope()

                if len(children) == 1:
                    above, key, node = link, keys[0], children[0]
                    continue

                frames.append((iter(zip(keys, children)), link, node_scope, node_group, descended))
                descended = None  # the new frame leaves `active` for them
                break

            if descended is None:
                break  # visit the new frame first
            for node_id in descended:  # the line ended without a frame
                del active[node_id]

        else:  # all children are done
            for node_id in frames.pop()[4]:
                del active[node_id]

    return Flat(
        leaves,
        Structure(tuple(records), len(leaves)),
        [_path(link) for link in links] if with_paths else None,
        groups if filters is not None else None,
    )


@_collector_paused
def unflatten(structure: Structure, leaves: Iterable[Any]) -> Any:
    r"""Rebuilds a tree from its structure and leaves, restoring shared nodes.

    Example:
        >>> flat = flatten([1, (jax.numpy.ones(2), 'a')])
        >>> unflatten(flat.structure, [None])
        [1, (None, 'a')]
    """

    leaves = list(leaves)
    if len(leaves) != structure.num_leaves:
        raise ValueError(
            f'expected {structure.num_leaves} leaves for this structure, got {len(leaves)}'
        )

    shared: Dict[Any, Any] = {}
    return _fold(structure, leaves, lambda cls, aux, ch: _node_kind(cls).build(aux, ch, shared))


def _fold(structure: Structure, leaves: List[Any], node: Callable) -> Any:
    r"""Combines the leaves bottom up, calling :py:`node(cls, aux, children)` on each
    record of a node.

    The records are in pre-order, so read backwards every node comes after its
    children, the first child on top of the stack.
    """

    stack: List[Any] = []
    position = len(leaves)
    for cls, aux, arity in reversed(structure.records):
        if cls is None:
            position -= 1
            stack.append(leaves[position])
            continue
        if arity == 1:
            children = [stack.pop()]
        elif arity:
            children = stack[: -arity - 1 : -1]
            del stack[-arity:]
        else:
            children = []
        stack.append(node(cls, aux, children))
    return stack[-1]


def _first_match(filters: Sequence[Callable[[Any], bool]], node: Any) -> Optional[int]:
    for i, f in enumerate(filters):
        if f(node):
            return i
    return None


class _CycleMark:
    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return f'<cycle: {self.description}>'


def _register(cls: type) -> None:
    r"""Makes a class that implements the node protocol known to the walk and to JAX,
    when the class is created."""

    _KINDS[cls] = _Kind(
        cls.__tree_flatten__,
        cls.__tree_unflatten__,
        cls.__tree_repr__,
        getattr(cls, '__tree_opens_scope__', False),
    )

    def flatten_with_keys(x):
        flat = flatten(x, with_paths=True)
        return list(zip(flat.paths, flat.leaves)), flat.structure

    def flatten_leaves(x):
        flat = flatten(x)
        return flat.leaves, flat.structure

    jtu.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten_leaves)


class Node:
    r"""Base of the classes that the walk knows natively; each is a JAX pytree node
    whose children are the leaves of its whole subtree.

    Subclasses define :py:`__tree_flatten__(self, walk)` returning
    :py:`(keys, children, aux)`, the class method
    :py:`__tree_unflatten__(aux, children, shared)` and the class method
    :py:`__tree_repr__(aux, children, **kwargs)`; :py:`shared` is a dict that lives
    as long as one :func:`unflatten` call.
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls)

    def __repr__(self) -> str:
        return tree_repr(self)

    def __reduce__(self):
        flat = flatten(self)
        return unflatten, (flat.structure, flat.leaves)


_register(Static)


class Namespace(Node):
    r"""Tree node whose branches are its attributes, visited sorted by name.

    Arguments:
        kwargs: A name-value mapping.

    Example:
        >>> tree = Namespace(b=jax.numpy.zeros(2), a=1)
        >>> tree
        Namespace(
          a = 1,
          b = float32[2]
        )
        >>> jax.tree_util.tree_leaves(tree)  # the non-array value is static
        [Array([0., 0.], dtype=float32)]
    """

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __tree_flatten__(self, walk: Walk):
        attributes = self.__dict__
        names, keys = _layout(tuple(attributes))
        return keys, [attributes[name] for name in names], names

    @classmethod
    def __tree_unflatten__(cls, names: tuple, children: list, shared: dict):
        self = object.__new__(cls)
        self.__dict__.update(zip(names, children))
        return self

    @classmethod
    def __tree_repr__(cls, names: tuple, children: List[Doc], **kwargs) -> Doc:
        items = [wrap(f'{n} = ', c) for n, c in zip(names, children)]
        return Block(f'{cls.__name__}(', items, ')')


@functools.lru_cache(maxsize=4096)
def _layout(names: tuple) -> tuple:
    r"""The attribute names in flatten order, and their JAX keys (made once per layout,
    as modules of one class share few layouts)."""

    ordered = tuple(sorted(names))
    return ordered, [jtu.GetAttrKey(name) for name in ordered]


def _show_leaf(x: Any, typeonly: bool = True, **kwargs) -> str:
    if typeonly and hasattr(x, 'shape') and hasattr(x, 'dtype'):
        return f'{x.dtype}{list(x.shape)}'
    return repr(x).strip(' \n')


def tree_repr(tree: Any, linewidth: int = 88, typeonly: bool = True) -> str:
    r"""Creates a readable representation of a tree, without recursion.

    Arrays are shown as their dtype and shape. A
    :class:`~inox.nn.share.Reference` is shown as its value preceded by ``*`` the
    first time and as ``@tag`` after that.

    Arguments:
        tree: The tree to represent.
        linewidth: The width past which elements go on separate lines.
        typeonly: Whether to show only the dtype and shape of arrays.

    Example:
        >>> print(tree_repr({'a': jax.numpy.ones((2, 3)), 'b': [1, 'two']}))
        {'a': float32[2, 3], 'b': [1, 'two']}
    """

    kwargs = {'linewidth': linewidth, 'typeonly': typeonly}
    flat = flatten(tree, lenient=True)
    leaves = [_show_leaf(leaf, **kwargs) for leaf in flat.leaves]
    doc = _fold(flat.structure, leaves, lambda cls, aux, ch: _node_kind(cls).show(aux, ch, **kwargs))
    return render(doc)


class PartitionKeyError(KeyError):
    r"""Raised when partitions given to a :class:`TreeDef` miss keys of the tree or
    hold keys it does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


class LeafSpecError(ValueError):
    r"""Raised when an array given to a :class:`TreeDef` has another shape or dtype
    than the leaf at its key had when the tree was partitioned."""


def _spec(x: Any) -> Optional[tuple]:
    shape, dtype = getattr(x, 'shape', None), getattr(x, 'dtype', None)
    if shape is None or dtype is None:
        return None
    return (tuple(shape), np.dtype(dtype))


def _predicate(f: Any) -> Callable[[Any], bool]:
    if isinstance(f, type):
        return f.__instancecheck__  # isinstance(x, f), as one call
    if callable(f):
        return f
    raise TypeError(f'a filter must be a type or a predicate, got {type(f).__name__}')


class TreeDef:
    r"""The static part of a partitioned tree; calling it with the partitions
    rebuilds the tree.

    See also:
        :func:`tree_partition`

    Arguments:
        structure: The structure of the tree.
        keys: The key of each leaf, in leaf order.
        specs: The shape and dtype of each leaf, or :py:`None` for non-arrays.
    """

    __slots__ = ('structure', 'keys', 'specs')

    def __init__(self, structure: Structure, keys: tuple, specs: tuple):
        self.structure, self.keys, self.specs = structure, keys, specs

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other) and (self.structure, self.keys, self.specs) == (
            other.structure,
            other.keys,
            other.specs,
        )

    def __hash__(self) -> int:
        return hash((self.structure, self.keys))

    def __repr__(self) -> str:
        return f'{type(self).__name__}({len(self.keys)} leaves)'

    def __call__(self, *partitions: Dict[str, Any]) -> Any:
        r"""Rebuilds the tree from path-leaf mappings.

        Raises:
            PartitionKeyError: If keys are missing or unexpected (all are named).
            LeafSpecError: If arrays have another shape or dtype (all are named).
        """

        leaves = {}
        for partition in partitions:
            leaves.update(partition)

        known = set(self.keys)
        missing = [key for key in self.keys if key not in leaves]
        unexpected = [key for key in leaves if key not in known]
        if missing or unexpected:
            raise PartitionKeyError(
                f'cannot rebuild the tree: missing keys {missing}, unexpected keys {unexpected}'
            )

        mismatched = []
        for key, spec in zip(self.keys, self.specs):
            given = _spec(leaves[key])
            if spec is not None and given is not None and given != spec:
                mismatched.append(
                    f'{key}: expected {spec[1]}{list(spec[0])}, got {given[1]}{list(given[0])}'
                )
        if mismatched:
            raise LeafSpecError('cannot rebuild the tree: ' + '; '.join(mismatched))

        return unflatten(self.structure, [leaves[key] for key in self.keys])


def tree_partition(tree: Any, *filters: Any, definition: type = TreeDef) -> tuple:
    r"""Splits a tree into its definition and path-leaf mappings.

    Each leaf goes to the mapping of the first filter satisfied by its ancestor
    closest to the root (itself included); the last mapping holds the other leaves.
    Filters are types (:py:`isinstance`) or predicates.

    Example:
        >>> tree = Namespace(a=jax.numpy.arange(2), b=[Static(jax.numpy.ones(1)), 2.0])
        >>> treedef, leaves = tree_partition(tree)
        >>> leaves
        {'.a': Array([0, 1], dtype=int32)}
        >>> treedef(leaves)
        Namespace(
          a = int32[2],
          b = [Static(float32[1]), 2.0]
        )
    """

    predicates = [_predicate(f) for f in filters]
    flat = flatten(tree, filters=predicates, with_paths=True)
    keys = tuple(str(path) for path in flat.paths)
    partitions = [{} for _ in range(len(filters) + 1)]
    for key, group, leaf in zip(keys, flat.groups, flat.leaves):
        partitions[group][key] = leaf

    treedef = definition(flat.structure, keys, tuple(map(_spec, flat.leaves)))
    return (treedef, *partitions)
