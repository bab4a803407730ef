r"""The fast walk: the reference's flatten and unflatten (:mod:`inox.tree.walk`), for the
classes of :mod:`inox.fast.nn`, as one loop each that knows those classes by heart.

It makes exactly the records that the reference makes (a :class:`~inox.tree.Structure`
folds back with either walk), so it can hand any tree it does not know to the
reference: whatever is irregular (a cycle, a tag conflict, an alias, a class of which
it knows only the kind) makes it start again as the reference walk, which raises the
error with its paths or walks the tree its own way. What it saves per node:

- no links and no paths: they are only needed for errors, which the reference makes;
- no call per node: one loop dispatches on the class to inline code;
- a node whose children are all leaves or parameters holding an array (a layer) is
  written at once, without a frame and without entering the set of ancestors.

Example:
    >>> from inox.fast.nn import Module, Parameter
    >>> tree = Module(w=Parameter(jax.numpy.ones(2)), n=3)
    >>> leaves, structure = flatten_leaves(tree)
    >>> structure == inox.tree.flatten(tree).structure, leaves
    (True, [Array([1., 1.], dtype=float32)])
    >>> unflatten(structure, leaves)
    Module(
      n = 3,
      w = Parameter(float32[2])
    )
"""

from __future__ import annotations

__all__ = ['Irregular', 'flatten_leaves', 'know', 'unflatten']

import gc
from typing import Any

from ..nn.share import Reference
from ..tree import Static, Structure, flatten, is_node
from ..tree.kinds import KINDS, LEAF, STATIC, StaticValue, kind_of

# What the loops do with an object of a class, by class: the classes of inox.fast.nn
# enter when they are created (know), arrays and static values when first met.
(
    _NAMESPACE,
    _PARAMETER,
    _SCOPE,
    _REFERENCE,
    _LIST,
    _TUPLE,
    _DICT,
    _LEAF,
    _STATIC,
    _STATIC_WRAPPER,
    _STATIC_RECORD,
    _LEAVE,
    _LEAVE_SCOPE,
) = range(13)

_CODES: dict[type, int] = {
    list: _LIST,
    tuple: _TUPLE,
    dict: _DICT,
    type(None): _STATIC,
    Static: _STATIC_WRAPPER,
    StaticValue: _STATIC_RECORD,
}

#: The roles that :func:`know` accepts, by name.
ROLES = {'namespace': _NAMESPACE, 'parameter': _PARAMETER, 'scope': _SCOPE, 'reference': _REFERENCE}


def know(cls: type, role: str) -> None:
    r"""Makes the loops handle :py:`cls` as a :py:`role` of :data:`ROLES`: its objects
    flatten and unflatten as the reference's Namespace, Parameter, Scope or Reference
    do (the caller checks that they do)."""

    _CODES[cls] = ROLES[role]


class Irregular(Exception):
    r"""Raised inside the fast flatten when the reference must walk the tree instead."""


class _Leave:
    r"""The entry of the flatten's stack under a node's children: when it comes off,
    the node (whose id is the entry under it) is no longer being walked."""

    __slots__ = ()


class _LeaveScope:
    r"""The entry of the flatten's stack under a scope's children: when it comes off,
    the enclosing scope's table is current again."""

    __slots__ = ()


_CODES[_Leave] = _LEAVE
_CODES[_LeaveScope] = _LEAVE_SCOPE
_LEAVE_NODE, _LEAVE_A_SCOPE = _Leave(), _LeaveScope()

_LEAF_RECORD = (None, None, 0)
_VALUE_NAMES = ('value',)  # the names of a Parameter that holds its value alone, as the reference records them
_KEPT_LAYOUTS = 4096  # the sorted names of this many attribute layouts are kept

_layouts: dict[tuple, tuple] = {}  # attribute names in insertion order -> sorted: a cache, not walk state


def _code_of(x: Any) -> int:
    r"""The code of a class met for the first time: a leaf or a static value, or the
    reference's business."""

    kind = kind_of(x)
    if kind is LEAF:
        code = _CODES[type(x)] = _LEAF
    elif kind is STATIC:
        code = _CODES[type(x)] = _STATIC
    else:  # a named tuple, a foreign JAX node, a node class of the reference
        raise Irregular
    return code


def _sorted_names(names: tuple) -> tuple:
    if len(_layouts) >= _KEPT_LAYOUTS:
        _layouts.clear()
    ordered = _layouts[names] = tuple(sorted(names))
    return ordered


def _walk(root: Any) -> tuple[list, list]:
    r"""The leaves and records of :py:`root`, as the reference's walk makes them; raises
    :class:`Irregular` where the reference must walk instead."""

    leaves: list = []
    records: list = []
    add_leaf, add_record = leaves.append, records.append
    codes, layouts = _CODES, _layouts
    stack = [root]
    push, pop = stack.append, stack.pop
    active: set[int] = set()  # the ids of the nodes being walked that may contain themselves
    table: dict | None = None  # the canonical Reference of each tag of the innermost scope
    tables: list = []  # the tables of the enclosing scopes
    ordinal = 0  # the number of the innermost scope in this walk
    scopes = 0  # the number of scopes opened so far
    claims: dict[int, Any] = {}  # id of the value of each canonical Reference -> its (tag, ordinal)
    while stack:
        x = pop()
        cls = type(x)
        code = codes.get(cls)
        if code is None:
            code = _code_of(x)
        if code is _LEAF:
            add_leaf(x)
            add_record(_LEAF_RECORD)
            continue
        if code is _LEAVE:
            active.remove(pop())
            continue
        if code is _REFERENCE:
            tag, value = x.tag, x.value
            if table is None:  # SHARE-UNSCOPED
                aux = (tag, 0)
            else:
                canonical = table.get(tag)
                if canonical is None:  # SHARE-PRUNE-FIRST: canonical
                    table[tag] = x
                    owner = claims.get(id(value))
                    if owner is None:
                        claims[id(value)] = tag
                    elif is_node(value):  # SHARE-ALIAS
                        raise Irregular
                    aux = (tag, ordinal)
                elif canonical is x or canonical.value is value:  # SHARE-PRUNE-FIRST: pruned
                    add_record((cls, (tag, ordinal), 0))
                    continue
                else:  # SHARE-TAG-CONFLICT
                    raise Irregular
            node_id = id(x)
            if node_id in active:  # TREE-CYCLE-ERROR
                raise Irregular
            add_record((cls, aux, 1))
            if codes.get(type(value)) is not _LEAF:
                active.add(node_id)
                push(node_id)
                push(_LEAVE_NODE)
            push(value)
            continue
        if code is _NAMESPACE or code is _PARAMETER or code is _SCOPE:
            attributes = x.__dict__
            if code is _PARAMETER and len(attributes) == 1 and 'value' in attributes:
                names = _VALUE_NAMES
            else:
                given = tuple(attributes)
                names = layouts.get(given) or _sorted_names(given)
            if not names:
                add_record((cls, names, 0))
                continue
            node_id = id(x)
            if node_id in active:  # TREE-CYCLE-ERROR, SHARE-SELF-SCOPE
                raise Irregular
            add_record((cls, names, len(names)))
            if code is not _SCOPE:
                # All children leaves, or parameters holding an array alone: written at
                # once (nothing below can be this node). Otherwise the records written
                # are taken back and the children go on the stack.
                written, leaves_written = len(records), len(leaves)
                for name in names:
                    child = attributes[name]
                    child_code = codes.get(type(child))
                    if child_code is _LEAF:
                        add_leaf(child)
                        add_record(_LEAF_RECORD)
                        continue
                    if child_code is _PARAMETER:
                        inner = child.__dict__
                        if len(inner) == 1:
                            value = inner.get('value', inner)
                            if codes.get(type(value)) is _LEAF:
                                add_record((type(child), _VALUE_NAMES, 1))
                                add_leaf(value)
                                add_record(_LEAF_RECORD)
                                continue
                    del leaves[leaves_written:]
                    del records[written:]
                    break
                else:
                    continue
            else:  # SHARE-SCOPE-NAMESPACE: a table of its own
                tables.append((table, ordinal))
                scopes += 1
                table, ordinal = {}, scopes
                push(_LEAVE_A_SCOPE)
            active.add(node_id)
            push(node_id)
            push(_LEAVE_NODE)
            for name in reversed(names):
                push(attributes[name])
            continue
        if code is _LIST or code is _TUPLE or code is _DICT:
            if code is _DICT:
                aux = tuple(sorted(x))
                children = [x[key] for key in aux]
            else:
                aux, children = None, x
            if not children:
                add_record((cls, aux, 0))
                continue
            node_id = id(x)
            if node_id in active:  # TREE-CYCLE-ERROR
                raise Irregular
            add_record((cls, aux, len(children)))
            active.add(node_id)
            push(node_id)
            push(_LEAVE_NODE)
            stack.extend(reversed(children))
            continue
        if code is _STATIC:
            add_record((StaticValue, Static(x), 0))
        elif code is _STATIC_WRAPPER:
            add_record((Static, x, 0))
        elif code is _LEAVE_SCOPE:
            table, ordinal = tables.pop()
        else:  # a record class met as a value: the reference's business
            raise Irregular
    return leaves, records


def flatten_leaves(tree: Any) -> tuple[list, Structure]:
    r"""The leaves and structure of :py:`tree`, equal to those of the reference's
    :func:`inox.tree.flatten`, which walks the trees this walk hands it. The cycle
    collector is paused meanwhile, as the reference's walks do."""

    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        try:
            leaves, records = _walk(tree)
        except Irregular:
            flat = flatten(tree)
            return flat.leaves, flat.structure
        return leaves, Structure(tuple(records), len(leaves))
    finally:
        if paused:
            gc.enable()


_set_tag, _set_value = Reference.tag.__set__, Reference.value.__set__  # pyright: ignore[reportAttributeAccessIssue]
_new = object.__new__


def unflatten(structure: Structure, leaves: Any) -> Any:
    r"""Rebuilds a tree from its structure and leaves, as the reference's
    :func:`inox.tree.unflatten` does (a :class:`Reference` per tag and scope), for
    any structure that either walk made."""

    leaves = list(leaves)
    if len(leaves) != structure.num_leaves:
        raise ValueError(f'expected {structure.num_leaves} leaves for this structure, got {len(leaves)}')
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _fold(structure.records, leaves)
    finally:
        if paused:
            gc.enable()


def _fold(records: tuple, leaves: list) -> Any:
    r"""The reference's :func:`inox.tree.fold` with its builds inlined: the records
    read backwards, each node built from the children on top of the stack (the first
    child on top)."""

    codes = _CODES
    stack: list = []
    push, pop = stack.append, stack.pop
    shared: dict = {}  # SHARE-ROUNDTRIP-IDENTITY: one Reference per (tag, scope)
    position = len(leaves)
    for cls, aux, arity in reversed(records):
        if cls is None:
            position -= 1
            push(leaves[position])
            continue
        code = codes.get(cls)
        if code is _NAMESPACE or code is _PARAMETER or code is _SCOPE:
            node = _new(cls)
            attributes = node.__dict__
            for name in aux:
                attributes[name] = pop()
            push(node)
        elif code is _REFERENCE:
            tag, scope = aux
            if not scope:  # SHARE-UNSCOPED: an object per occurrence
                push(cls(tag, pop()))
                continue
            reference = shared.get(aux)
            if reference is None:
                reference = shared[aux] = _new(cls)
                _set_tag(reference, tag)
            if arity:
                _set_value(reference, pop())
            push(reference)
        elif code is _STATIC_RECORD:
            push(aux.value)
        else:
            if arity:
                children = stack[: -arity - 1 : -1]
                del stack[-arity:]
            else:
                children = []
            if code is _LIST:
                push(children)
            elif code is _TUPLE:
                push(tuple(children))
            else:
                push(KINDS[cls].build(aux, children, shared))  # pyright: ignore[reportOptionalCall] (every record class has one)
    return stack[-1]
