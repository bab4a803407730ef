r"""The fast walk: the reference's flatten and unflatten (:mod:`inox.tree.walk`), for the
classes of :mod:`inox.fast.nn`, as one loop each that knows those classes by heart.

It makes exactly the records that the reference makes (a :class:`~inox.tree.Structure`
folds back with either walk), so it can hand any tree it does not know to the
reference: whatever is irregular (a cycle, a tag conflict, an alias, a class of which
it knows only the kind) makes it start again as the reference walk, which raises the
error with its paths or walks the tree its own way. What it saves per node:

- no links and no paths: they are only needed for errors, which the reference makes;
- no call per node: one loop dispatches on the class to inline code;
- the children of a node that are leaves or parameters holding an array are written at
  once, without a frame and without entering the set of ancestors;
- a Reference enters the set of ancestors only where its value is a Reference: a cycle
  through any other node is found at that node;
- no record allocated per node of a known class and attribute layout: every node of
  one shares one record (so that JAX's comparison of structures, the key of its jit
  cache, meets the same objects);
- a Reference that its scope has pruned before (the tied positions of a model hold one
  Reference) is pruned again by one lookup of the object, which finds the record made the
  first time: its tag and value are not read again;
- an unchanged tree flattened again has the structure object made before: each record is
  kept by what it holds (a node's class and names, a Reference's tag and scope, a static
  value), so the records of an unchanged tree are the same objects, which a pointer
  comparison each tells, made as the walk makes each record, with no list of them (see
  :class:`_Records` and :func:`_structure_of`); JAX then compares the structures of a
  jitted call's arguments by identity, and a roundtrip's unflatten finds their plan;
- unflatten rebuilds a structure that it met before by a plan made once of its
  records (JAX unflattens a jitted function's outputs and every kept tree definition with
  one structure again and again): the fold's steps with every decision taken, a slot
  per Reference instead of a dict keyed by tag and scope, and the attributes of a node
  written by :py:`setattr`, which CPython keeps in the object without making it a dict;
  a node whose children are all leaves (a Parameter) is one step that reads them from
  the leaves, a run of repeated References one step, and the stack a list of the plan's
  depth with the index of its top; the steps' codes and operands are two tuples, which
  point at few objects (nodes of one class share an operand), so that a run reads its plan
  from the cache even where the heap scattered what it made.

It also reads, once per structure and filters, the keys and filter groups of a
structure's leaves, which the fast partition (:mod:`inox.fast.partition`) uses instead of
a walk with paths and filters (:func:`layout_of`).

This file is also compiled as it is, by Cython, into an extension module that Python
imports in its stead where the build put one beside it (:data:`COMPILED`; Bazel's
``//inox`` does, see ``tools/cython.bzl``): the same code, without the interpreter's
dispatch of each bytecode.

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

__all__ = ['COMPILED', 'Irregular', 'flatten_leaves', 'know', 'layout_of', 'owner_of', 'unflatten']

import gc
import importlib.machinery
from typing import Any

import jax.tree_util as jtu

from ..nn.share import Reference
from ..tree import Static, Structure, flatten, is_node
from ..tree.kinds import KINDS, LEAF, STATIC, StaticValue, kind_of

#: Whether this module is the extension module compiled from this file, not the file itself.
COMPILED = __file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))

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
    do (the caller checks that they do, that :py:`cls` creates its objects with
    :py:`object.__new__`, as the reference's builds do, and that a reference class
    compares by identity, keeping :py:`object.__eq__` and :py:`object.__hash__`)."""

    _CODES[cls] = ROLES[role]
    if role == 'parameter':
        _value_records[cls] = (cls, _VALUE_NAMES, 1)


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
_KEPT_LAYOUTS = 4096  # the records of this many layouts are kept

# The record of a node with children, by its class and its attribute names in insertion
# order (a list or a tuple by its class and length, a dict by its class and keys): a
# cache, not walk state. Every node of a class and layout shares one record object, so
# that nothing is allocated for it, and so that JAX's comparison of two structures (its
# jit cache's key) meets the same objects and skips comparing them.
_records: dict[tuple, tuple] = {}
_value_records: dict[type, tuple] = {}  # the record of a Parameter holding its value alone, by class
_class_records: dict[type, tuple] = {}  # the record of the node of each class met last

# The records of the References met, by scope number (0: unscoped) and tag, each kept as
# (tag, class, pruned, canonical), the two records sharing their aux; and the records of
# the static values met, by the value's id, each with the value. Caches, not walk state,
# like _records: with them, an unchanged tree's records are the same objects walk after
# walk, which _structure_of compares by identity. Like the structures kept below and the
# plans, they keep the tags and static values that they hold alive, up to their bounds.
_reference_records: dict[int, dict] = {}
_static_records: dict[int, tuple] = {}
_KEPT_SCOPES = 64  # the reference records of this many scope numbers are kept,
_KEPT_TAGS = 16384  # and of this many tags per scope number
_KEPT_STATICS = 4096  # the records of this many static values are kept

# The structure that flatten made last, by its number of records, and for a root of each
# class (the one that the walk expects: see _Records): caches, not walk state.
_structures: dict[int, Structure] = {}
_expected: dict[type, Structure] = {}
_KEPT_STRUCTURES = 64


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


def _record_of(key: tuple) -> tuple:
    r"""The record of a node of class and attribute names :py:`key`, kept in :data:`_records`.

    Example:
        >>> _record_of((Static, ('b', 'a')))
        (<class 'inox.tree.kinds.Static'>, ('a', 'b'), 2)
    """

    if len(_records) >= _KEPT_LAYOUTS:
        _records.clear()
    cls, given = key
    names = tuple(sorted(given))
    record = _records[key] = (cls, names, len(names))
    return record


def _holds(attributes: dict, names: tuple) -> bool:
    r"""Whether the keys of :py:`attributes` are :py:`names`: as many, each among them.

    Example:
        >>> _holds({'a': 1, 'b': 2}, ('b', 'a')), _holds({'a': 1, 'c': 2}, ('a', 'b')), _holds({'a': 1}, ())
        (True, False, False)
    """

    if len(attributes) != len(names):
        return False
    for name in names:
        if name not in attributes:
            return False
    return True


def _container_record(cls: type, keys: list | None, arity) -> tuple:
    r"""The record of a list or a tuple, :py:`(cls, None, arity)`, or of a dict of sorted
    :py:`keys`, :py:`(dict, tuple(keys), arity)`, kept in :data:`_records`: the same object for
    the same class, arity and key objects.

    Example:
        >>> _container_record(list, None, 2) is _container_record(list, None, 2)
        True
        >>> _container_record(dict, ['a'], 1)
        (<class 'dict'>, ('a',), 1)
    """

    records = _records
    aux = None if keys is None else tuple(keys)
    key = (cls, arity if aux is None else aux)
    record = records.get(key)
    # A kept record of equal keys that are not these objects (1 for 1.0) is replaced.
    if record is None or (keys is not None and not _same_items(record[1], keys)):
        if len(records) >= _KEPT_LAYOUTS:
            records.clear()
        record = records[key] = (cls, aux, arity)
    return record


def _tags_of(scope) -> dict:
    r"""The records of the References met in scopes numbered :py:`scope` (0: unscoped),
    by tag: the dict of :data:`_reference_records` that :func:`_reference_record` keeps them in."""

    scopes = _reference_records
    tags = scopes.get(scope)
    if tags is None:
        if len(scopes) >= _KEPT_SCOPES:
            scopes.clear()
        tags = scopes[scope] = {}
    return tags


def _reference_record(tags: dict, cls: type, tag: Any, scope, arity) -> tuple:
    r"""The record :py:`(cls, (tag, scope), arity)` of a Reference, kept in :py:`tags`,
    the dict of :func:`_tags_of` for :py:`scope`: the same object for the same class, tag
    object and arity. A pruned record (arity 0) shares the aux of the canonical one.
    What tells them kept is beside them: a walk reads one object per tag, not three.

    Example:
        >>> from inox.fast.nn import Reference
        >>> tags = _tags_of(1)
        >>> pruned, canonical = (_reference_record(tags, Reference, 'w', 1, arity) for arity in (0, 1))
        >>> canonical, pruned[1] is canonical[1], pruned is _reference_record(tags, Reference, 'w', 1, 0)
        ((<class 'inox.fast.nn.Reference'>, ('w', 1), 1), True, True)
    """

    kept = tags.get(tag)
    if kept is not None and kept[0] is tag and kept[1] is cls:  # not an equal tag of another type (1 and 1.0)
        return kept[2 + arity]
    if len(tags) >= _KEPT_TAGS:
        tags.clear()
    aux = (tag, scope)
    kept = tags[tag] = (tag, cls, (cls, aux, 0), (cls, aux, 1))
    return kept[2 + arity]


def _static_record(cls: type, x: Any) -> tuple:
    r"""The record of the static value :py:`x` of class :py:`cls`: :py:`(Static, x, 0)` for
    a :class:`~inox.tree.Static`, else :py:`(StaticValue, Static(x), 0)`; kept in
    :data:`_static_records` by :py:`id(x)`, the same object for the same value object (the
    entry holds :py:`x`: no other object can take its id while it is kept).

    Example:
        >>> _static_record(str, 'relu'), _static_record(str, 'relu') is _static_record(str, 'relu')
        ((<class 'inox.tree.kinds.StaticValue'>, Static('relu'), 0), True)
    """

    records = _static_records
    key = id(x)
    kept = records.get(key)
    if kept is not None:
        return kept[1]
    if len(records) >= _KEPT_STATICS:
        records.clear()
    record = (Static, x, 0) if cls is Static else (StaticValue, Static(x), 0)
    records[key] = (x, record)
    return record


def _same_items(kept: tuple, made: list) -> bool:
    r"""Whether :py:`kept` and :py:`made`, of one length, hold the same
    objects: an identity test per item, which equal records made walk after walk pass
    (see :func:`_structure_of`)."""

    for i in range(len(kept)):
        if kept[i] is not made[i]:
            return False
    return True


def _structure_of(records: list, num_leaves) -> Structure:
    r"""The structure of :py:`records`: the one made last of as many records if it holds
    these very objects, else a new one, kept in :data:`_structures`.

    The walk makes the same record objects for an unchanged tree (every record is kept by
    what it holds: see :data:`_records`, :data:`_reference_records` and
    :data:`_static_records`), so an unchanged tree is found at the cost of a pointer
    comparison per record, and flattened again it has the same structure object: JAX
    compares the structures of a jitted call's arguments by identity first, and unflatten
    finds the plan of a structure by its identity. A changed tree has another record at
    some position (records hold the tags, names, keys and static values by identity), so
    it gets a structure of its own.

    Example:
        >>> from inox.fast.nn import Module, Parameter
        >>> tree = Module(w=Parameter(jax.numpy.ones(2)), n=3)
        >>> structure = flatten_leaves(tree)[1]
        >>> flatten_leaves(tree)[1] is structure
        True
        >>> tree.n = 4
        >>> changed = flatten_leaves(tree)[1]
        >>> changed is structure, changed.records[1]
        (False, (<class 'inox.tree.kinds.StaticValue'>, Static(4), 0))
    """

    structures = _structures
    count = len(records)
    kept = structures.get(count)
    if kept is not None and _same_items(kept.records, records):
        return kept
    if len(structures) >= _KEPT_STRUCTURES:
        structures.clear()
    structure = structures[count] = Structure(tuple(records), num_leaves)
    return structure


class _Records:
    r"""The records that a walk makes, compared one by one, as it makes them, with those
    of the structure that it expects (the one made last for a root of the same class): as
    long as each is the very object at its position there, they are that structure's first
    :py:`count` records, and no list holds them; from the first that is not, a list does.

    So an unchanged tree's flatten finds its structure (see :func:`_structure_of`) without
    a list of records to grow, compare and release: each record is compared while the walk
    has it at hand, not read again from memory afterwards, which costs most in large trees.

    A structure's records are a whole tree, each giving its number of children: records
    that are the first of them make a whole tree only when they are all of them. So a walk
    that ends having made none other has made exactly the expected records, and one that
    has not ended has one more to compare.

    Example:
        >>> expected = Structure(((list, None, 1), _LEAF_RECORD), 1)
        >>> same, other, unexpected = _Records(expected), _Records(expected), _Records(None)
        >>> for record in expected.records:
        ...     same.add(record)
        >>> other.add((list, None, 0))
        >>> unexpected.add((list, None, 0))
        >>> same.structure(1) is expected, other.structure(0).records, unexpected.structure(0).records
        (True, ((<class 'list'>, None, 0),), ((<class 'list'>, None, 0),))
    """

    def __init__(self, expected: Structure | None) -> None:
        self.expected = expected
        self.kept: tuple = () if expected is None else expected.records
        self.count = 0  # the records made while they are the first of kept
        self.made: list | None = [] if expected is None else None  # all the records made, once one is not kept's

    def add(self, record: tuple) -> None:
        r"""Appends :py:`record` to the records made."""

        made = self.made
        if made is None:
            count = self.count
            if self.kept[count] is record:
                self.count = count + 1
                return
            made = self.made = list(self.kept[:count])
        made.append(record)

    def structure(self, num_leaves) -> Structure:
        r"""The structure of the records made, which hold :py:`num_leaves` leaves."""

        if self.made is None:
            return self.expected  # pyright: ignore[reportReturnType] (made is None only where it is not)
        return _structure_of(self.made, num_leaves)


def _walk(root: Any, records: _Records) -> list:
    r"""The leaves of :py:`root`, its records added to :py:`records`, as the reference's
    walk makes them; raises :class:`Irregular` where the reference must walk instead."""

    leaves: list = []
    add_leaf = leaves.append
    codes, known_records, value_records, class_records = _CODES, _records, _value_records, _class_records
    stack = [root]
    push, pop = stack.append, stack.pop
    last_class, code = None, None  # the class of the object walked last, and its code
    active: set[int] = set()  # the ids of the nodes being walked that may contain themselves
    table: dict | None = None  # the canonical Reference of each tag of the innermost scope
    tags = _tags_of(0)  # the records kept for the References of the innermost scope (see _reference_record)
    pruned: dict | None = None  # the record of each Reference pruned in the innermost scope, by Reference
    tables: list = []  # the tables of the enclosing scopes
    ordinal = 0  # the number of the innermost scope in this walk
    scopes = 0  # the number of scopes opened so far
    claims: set[int] = set()  # the ids of the values of the canonical References (SHARE-ALIAS)
    while stack:
        x = pop()
        cls = type(x)
        if cls is not last_class:  # else code is still its code: a list mostly holds one class
            code = codes.get(cls)
            if code is None:
                code = _code_of(x)
            last_class = cls
        if code is _LEAF:
            add_leaf(x)
            records.add(_LEAF_RECORD)
            continue
        if code is _LEAVE:
            active.remove(pop())
            continue
        if code is _REFERENCE:
            if pruned is not None:
                # A Reference pruned before in this scope is pruned again, at the cost of
                # one lookup (its class compares by identity: see know); the tied positions
                # of a model hold the same Reference object.
                record = pruned.get(x)
                if record is not None:
                    records.add(record)
                    continue
            tag = x.tag
            if table is None:  # SHARE-UNSCOPED
                value = x.value
                record = _reference_record(tags, cls, tag, 0, 1)
            else:
                canonical = table.get(tag)
                if canonical is None:  # SHARE-PRUNE-FIRST: canonical
                    table[tag] = x
                    value = x.value
                    value_id = id(value)
                    if value_id not in claims:
                        claims.add(value_id)
                    elif is_node(value):  # SHARE-ALIAS
                        raise Irregular
                    record = _reference_record(tags, cls, tag, ordinal, 1)
                elif canonical is x or canonical.value is x.value:  # SHARE-PRUNE-FIRST: pruned
                    record = pruned[x] = _reference_record(tags, cls, tag, ordinal, 0)  # pyright: ignore[reportOptionalSubscript] (a scope's)
                    records.add(record)
                    continue
                else:  # SHARE-TAG-CONFLICT
                    raise Irregular
            node_id = id(x)
            if node_id in active:  # TREE-CYCLE-ERROR
                raise Irregular
            records.add(record)
            # A Reference is among the ancestors only where its value is one: a cycle
            # through any other node is found at that node, which enters them whenever it
            # has children to walk; a cycle of References alone, here.
            if codes.get(type(value)) is _REFERENCE:
                active.add(node_id)
                push(node_id)
                push(_LEAVE_NODE)
            push(value)
            continue
        if code is _NAMESPACE or code is _PARAMETER or code is _SCOPE:
            attributes = x.__dict__
            if code is _PARAMETER and len(attributes) == 1 and 'value' in attributes:
                record = value_records[cls]  # the layout met most, by the cheapest test
            else:
                # The record of the node of this class met last, if this node has its names:
                # no tuple of names to make and hash.
                record = class_records.get(cls)
                if record is None or not _holds(attributes, record[1]):
                    key = (cls, tuple(attributes))
                    record = class_records[cls] = known_records.get(key) or _record_of(key)
            records.add(record)
            names = record[1]
            if not names:
                continue
            if code is not _SCOPE:
                # The children that are leaves, or parameters holding an array alone, are
                # written at once (nothing below them can be this node), up to the first
                # that is not: from that one on, the children go on the stack.
                for name in names:
                    child = attributes[name]
                    child_code = codes.get(type(child))
                    if child_code is _LEAF:
                        add_leaf(child)
                        records.add(_LEAF_RECORD)
                        continue
                    if child_code is _PARAMETER:
                        inner = child.__dict__
                        if len(inner) == 1:
                            value = inner.get('value', inner)
                            if codes.get(type(value)) is _LEAF:
                                records.add(value_records[type(child)])
                                add_leaf(value)
                                records.add(_LEAF_RECORD)
                                continue
                    names = names[names.index(name) :]
                    break
                else:
                    continue
            node_id = id(x)
            if node_id in active:  # TREE-CYCLE-ERROR, SHARE-SELF-SCOPE
                raise Irregular
            if code is _SCOPE:  # SHARE-SCOPE-NAMESPACE: a table of its own
                tables.append((table, pruned, ordinal, tags))
                scopes += 1
                table, pruned, ordinal = {}, {}, scopes
                tags = _tags_of(ordinal)
                push(_LEAVE_A_SCOPE)
            active.add(node_id)
            push(node_id)
            push(_LEAVE_NODE)
            for name in reversed(names):
                push(attributes[name])
            continue
        if code is _LIST or code is _TUPLE or code is _DICT:
            if code is _DICT:
                keys = sorted(x)
                children = [x[key] for key in keys]
            else:
                keys, children = None, x
            if not children:
                records.add(_container_record(cls, keys, 0))
                continue
            node_id = id(x)
            if node_id in active:  # TREE-CYCLE-ERROR
                raise Irregular
            records.add(_container_record(cls, keys, len(children)))
            active.add(node_id)
            push(node_id)
            push(_LEAVE_NODE)
            stack.extend(reversed(children))
            continue
        if code is _STATIC or code is _STATIC_WRAPPER:
            records.add(_static_record(cls, x))
        elif code is _LEAVE_SCOPE:
            table, pruned, ordinal, tags = tables.pop()
        else:  # a record class met as a value: the reference's business
            raise Irregular
    return leaves


def flatten_leaves(tree: Any) -> tuple[list, Structure]:
    r"""The leaves and structure of :py:`tree`, equal to those of the reference's
    :func:`inox.tree.flatten`, which walks the trees this walk hands it. The cycle
    collector is paused meanwhile, as the reference's walks do."""

    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        expected = _expected
        records = _Records(expected.get(type(tree)))
        try:
            leaves = _walk(tree, records)
        except Irregular:
            flat = flatten(tree)
            return flat.leaves, flat.structure
        structure = records.structure(len(leaves))
        if len(expected) >= _KEPT_STRUCTURES:
            expected.clear()
        expected[type(tree)] = structure
        return leaves, structure
    finally:
        if paused:
            gc.enable()


_set_tag, _set_value = Reference.tag.__set__, Reference.value.__set__  # pyright: ignore[reportAttributeAccessIssue]


# The plans of the structures that unflatten met, by the structure's id: a cache, not
# walk state. An entry is (the structure, its plan): the structure so that no other
# object can take its id while the entry exists; as plan, _MET_ONCE until the structure
# is met again, then what _plan made of it, or _NO_PLAN. An entry is replaced, never
# changed, and the dict's get, set and clear are each atomic: a thread that has read an
# entry holds a consistent pair whatever other threads do to the cache.
_plans: dict[int, tuple[Structure, Any]] = {}
_KEPT_PLANS = 64  # when this many structures are kept, the cache is cleared
_MET_ONCE = None  # the plan of a structure met once: none made yet
_NO_PLAN = False  # the plan of a structure that _plan cannot express


def unflatten(structure: Structure, leaves: Any) -> Any:
    r"""Rebuilds a tree from its structure and leaves, as the reference's
    :func:`inox.tree.unflatten` does (a :class:`Reference` per tag and scope), for
    any structure that either walk made.

    A structure met again (JAX keeps the structures of a jitted function's outputs, and
    of every tree definition held) is rebuilt by its plan (see :func:`_plan`)."""

    leaves = tuple(leaves)  # JAX's leaves are a tuple already: no copy
    if len(leaves) != structure.num_leaves:
        raise ValueError(f'expected {structure.num_leaves} leaves for this structure, got {len(leaves)}')
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        plan = _plan_of(structure)
        if plan is None:
            return _fold(structure.records, leaves)
        return _run(plan, leaves)
    finally:
        if paused:
            gc.enable()


def _plan_of(structure: Structure) -> tuple[tuple, tuple, int, int] | None:
    r"""The plan of :py:`structure` (see :func:`_plan`) if it was met before and can
    have one, else None; remembers in :data:`_plans` that it was met.

    A plan is made at a structure's second meeting, not its first: making one is a pass
    over the records, as a fold is, which a structure met once (a tree mapped once) would
    pay for nothing. A full cache is cleared, not trimmed: finding the least used entry
    would cost every call, and a structure that is in use is met again and kept again.
    Structures are told apart by identity, which costs nothing, where equality costs a
    comparison of their records: JAX hands unflatten the very structure it kept.
    """

    key = id(structure)
    entry = _plans.get(key)
    if entry is None:
        if len(_plans) >= _KEPT_PLANS:
            _plans.clear()
        _plans[key] = (structure, _MET_ONCE)
        return None
    plan = entry[1]
    if plan is _MET_ONCE:
        plan = _plan(structure.records) or _NO_PLAN
        _plans[key] = (structure, plan)
    return None if plan is _NO_PLAN else plan


# The steps of a plan, each with its operand (see _plan).
(
    _PUSH_LEAF,  # none: the next leaf, from the last
    _PUSH_VALUE,  # a static value
    _BUILD_NAMESPACE,  # (class, names): a node, its attributes popped in the names' order
    _BUILD_FROM_LEAVES,  # (class, names): a node whose attributes are the next leaves, in order
    _BUILD_DICT,  # keys: a dict, its items popped in the keys' order
    _BUILD_LIST,  # arity: a list of that many children, popped
    _BUILD_TUPLE,  # arity: a tuple of that many children, popped
    _NEW_REFERENCE,  # (class, tag, slot): a Reference of that tag, kept in its slot
    _SET_REFERENCE,  # slot: its Reference, given the popped child as value, pushed
    _PUSH_REFERENCE,  # slot: its Reference, pushed
    _PUSH_REFERENCES,  # slots: their References, pushed in order (a run of repeated References)
    _BUILD_UNSCOPED,  # (class, tag): a Reference of its own holding the popped child
) = range(12)


def _plan(records: tuple) -> tuple[tuple, tuple, int, int] | None:
    r"""The fold of :py:`records` with every decision taken once: the codes of its steps,
    in the order that :func:`_fold` reads the records (backwards), their operands, the
    number of slots that its References take (one per tag and scope), and the most values
    its stack holds at once (fewer where a node's children are all leaves, which it takes
    from the leaves directly). None if a record is not one of
    Namespace, Parameter, Scope, Reference, list, tuple, dict, leaf or static value, or if
    a node's attributes cannot be written as the fold writes them (see
    :func:`_written_plainly`).

    The codes are small integers, which CPython makes once, and the nodes of one class
    and names share one operand: the plan points at few objects besides its References'
    tags and slots, wherever the heap had room for them, and a run finds them in the cache.

    :func:`_run` writes a node's attributes by :py:`setattr`, not into its
    :py:`__dict__`: CPython 3.12 keeps them in the object's inline values, and makes no
    dict until one is asked for.

    Example:
        >>> from inox.fast.nn import Module, Parameter
        >>> leaves, structure = flatten_leaves([Module(w=Parameter(jax.numpy.ones(2)), n=3)] * 2)
        >>> codes, operands, slots, depth = _plan(structure.records)
        >>> codes == (_BUILD_FROM_LEAVES, _PUSH_VALUE, _BUILD_NAMESPACE) * 2 + (_BUILD_LIST,), slots, depth
        (True, 0, 3)
        >>> operands[0], operands[0] is operands[3], operands[1:3]
        ((<class 'inox.fast.nn.Parameter'>, ('value',)), True, (3, (<class 'inox.fast.nn.Module'>, ('n', 'w'))))
        >>> _run((codes, operands, slots, depth), tuple(leaves))[1]
        Module(
          n = 3,
          w = Parameter(float32[2])
        )
    """

    kinds = _CODES
    codes: list = []
    operands: list = []
    slots: dict[tuple, int] = {}  # (tag, scope) -> the slot of its Reference
    # (class, names) -> itself, the one operand of all their builds, or False where setattr
    # does not write them as the fold does
    nodes: dict[tuple, tuple | bool] = {}
    top = depth = 0  # the values on the stack after each record's steps, and their most

    def add(code: int, operand: Any) -> None:
        codes.append(code)
        operands.append(operand)

    for cls, aux, arity in reversed(records):
        top += 1 - arity  # every record pops its children and pushes one value
        depth = max(depth, top)
        if cls is None:
            add(_PUSH_LEAF, None)
            continue
        kind = kinds.get(cls)
        if kind is _NAMESPACE or kind is _PARAMETER or kind is _SCOPE:
            key = (cls, aux)
            node = nodes.get(key)
            if node is None:
                node = nodes[key] = _written_plainly(cls, aux) and key
            if not node:
                return None
            if arity and codes[-arity:] == [_PUSH_LEAF] * arity:  # its children are all leaves
                del codes[-arity:], operands[-arity:]
                add(_BUILD_FROM_LEAVES, node)
            else:
                add(_BUILD_NAMESPACE, node)
        elif kind is _REFERENCE:
            tag, scope = aux
            if not scope:  # SHARE-UNSCOPED: an object per occurrence
                if arity != 1:
                    return None
                add(_BUILD_UNSCOPED, (cls, tag))
                continue
            slot = slots.get(aux)
            if slot is None:  # SHARE-ROUNDTRIP-IDENTITY: one Reference per (tag, scope)
                slot = slots[aux] = len(slots)
                add(_NEW_REFERENCE, (cls, tag, slot))
            if arity:
                add(_SET_REFERENCE, slot)
            elif codes and codes[-1] is _PUSH_REFERENCE:  # the previous step a repeat too: a run
                codes[-1], operands[-1] = _PUSH_REFERENCES, [operands[-1], slot]
            elif codes and codes[-1] is _PUSH_REFERENCES:
                operands[-1].append(slot)
            else:
                add(_PUSH_REFERENCE, slot)
        elif kind is _STATIC_RECORD:
            add(_PUSH_VALUE, aux.value)
        elif kind is _DICT:
            add(_BUILD_DICT, aux)
        elif kind is _LIST:
            add(_BUILD_LIST, arity)
        elif kind is _TUPLE:
            add(_BUILD_TUPLE, arity)
        else:  # another kind: its build is the reference's business
            return None
    return tuple(codes), tuple(operands), len(slots), depth


def owner_of(cls: type, name: str) -> type | None:
    r"""The class of :py:`cls`'s MRO that defines :py:`name`, if any.

    Example:
        >>> owner_of(Irregular, '__init__'), owner_of(Irregular, 'missing')
        (<class 'Exception'>, None)
    """

    return next((base for base in cls.__mro__ if name in base.__dict__), None)


def _written_plainly(cls: type, names: tuple) -> bool:
    r"""Whether :py:`setattr(node, name, value)` writes :py:`node.__dict__[name]`, as the
    fold does, for each of :py:`names` and a node of :py:`cls`: the class keeps
    :py:`object.__setattr__`, no name is a data descriptor of the class (a property, a
    slot), and every name is a :py:`str`.

    Example:
        >>> from inox.tree import Namespace
        >>> class Frozen(Namespace):
        ...     def __setattr__(self, name, value):
        ...         raise AttributeError(name)
        >>> _written_plainly(Namespace, ('a',)), _written_plainly(Frozen, ('a',))
        (True, False)
        >>> _written_plainly(Namespace, ('__class__',)), _written_plainly(Namespace, (1,))
        (False, False)
    """

    if cls.__setattr__ is not object.__setattr__:  # pyright: ignore[reportUnnecessaryComparison]
        return False
    for name in names:
        if type(name) is not str:
            return False
        owner = owner_of(cls, name)
        if owner is not None:
            kind = type(owner.__dict__[name])
            if hasattr(kind, '__set__') or hasattr(kind, '__delete__'):
                return False
    return True


# The layouts of the structures that the fast partition met, by the structure's id: a
# cache, not walk state. An entry is (the structure, the filters, the layout or None): the
# structure so that no other object can take its id while the entry exists.
_layouts: dict[int, tuple] = {}
_KEPT_PARTITIONS = 64  # when this many structures are kept, the cache is cleared
_VALUE_PIECES = [str(jtu.GetAttrKey('value'))]  # the key of a Reference's value, as a path string


def layout_of(structure: Structure, filters: tuple) -> tuple[tuple, list] | None:
    r"""The layout (see :func:`_layout`) of :py:`structure` for the classes :py:`filters`,
    kept in :data:`_layouts` for the structure met last with them: a tree flattened again
    unchanged has the same structure object (see :func:`_structure_of`)."""

    key = id(structure)
    entry = _layouts.get(key)
    if entry is not None and entry[1] == filters:
        return entry[2]
    layout = _layout(structure.records, filters)
    if len(_layouts) >= _KEPT_PARTITIONS:
        _layouts.clear()
    _layouts[key] = (structure, filters, layout)
    return layout


def _layout(records: tuple, filters: tuple) -> tuple[tuple, list] | None:
    r"""The path string of each leaf of :py:`records` (its key in a partition), and the
    index of the first of the classes :py:`filters` of which its ancestor closest to the
    root is an instance, or None where none is (the leaf itself decides); None if a record
    with children is of a class that the walk does not know.

    This is what the reference's partition walk computes from the tree, read from its
    records: the keys of a node's children follow from its record (attribute names,
    indices, dict keys, a Reference's value), and whether a node is an instance of a class
    from the class in its record (the classes that the walk knows keep
    :py:`object.__class__`: see :mod:`inox.fast.nn`). As in the reference, a node without
    children is asked no filter.

    Example:
        >>> from inox.fast.nn import Module, Parameter
        >>> tree = Module(w=Parameter(jax.numpy.ones(2)), b=[jax.numpy.ones(1)])
        >>> _layout(flatten_leaves(tree)[1].records, (Parameter,))
        (('.b[0]', '.w.value'), [None, 0])
    """

    codes = _CODES
    keys: list = []
    groups: list = []
    frames: list = []  # [path, group, the keys of its children, the index of the next] of each node being read
    for cls, aux, arity in records:
        while frames and frames[-1][3] == len(frames[-1][2]):
            frames.pop()
        if frames:
            frame = frames[-1]
            path, group = frame[0] + frame[2][frame[3]], frame[1]
            frame[3] += 1
        else:
            path, group = '', None
        if cls is None:
            keys.append(path)
            groups.append(group)
            continue
        if not arity:
            continue
        code = codes.get(cls)
        if code is _NAMESPACE or code is _PARAMETER or code is _SCOPE:
            pieces = [str(jtu.GetAttrKey(name)) for name in aux]
        elif code is _REFERENCE:
            pieces = _VALUE_PIECES
        elif code is _LIST or code is _TUPLE:
            pieces = [str(jtu.SequenceKey(i)) for i in range(arity)]
        elif code is _DICT:
            pieces = [str(jtu.DictKey(key)) for key in aux]
        else:  # another kind: its keys are the reference's business
            return None
        if group is None:
            group = next((i for i, f in enumerate(filters) if issubclass(cls, f)), None)
        frames.append([path, group, pieces, 0])
    return tuple(keys), groups


def _run(plan: tuple, leaves: tuple) -> Any:
    r"""Rebuilds the tree of a plan of :func:`_plan` from its leaves: the fold's stack,
    the first child on top, without the fold's decisions. The stack is a list of the
    plan's depth and the index of its top, so that no step grows or shrinks it."""

    codes, operands, count, depth = plan
    stack: list = [None] * depth
    top = 0  # the number of values on the stack: the top one is stack[top - 1]
    references: list = [None] * count
    position = len(leaves)
    for i in range(len(codes)):
        step, operand = codes[i], operands[i]
        if step is _PUSH_LEAF:
            position -= 1
            stack[top] = leaves[position]
            top += 1
        elif step is _BUILD_NAMESPACE:
            cls, names = operand
            # object.__new__: no class that the walk knows has another (see inox.fast.nn),
            # and compiled, this is a call of the class's slot, not of object.__new__'s wrapper.
            node = cls.__new__(cls)
            for name in names:
                top -= 1
                setattr(node, name, stack[top])
            stack[top] = node
            top += 1
        elif step is _BUILD_FROM_LEAVES:
            cls, names = operand
            node = cls.__new__(cls)
            position -= len(names)
            index = position
            for name in names:
                setattr(node, name, leaves[index])
                index += 1
            stack[top] = node
            top += 1
        elif step is _SET_REFERENCE:
            slot = operand  # a C integer, compiled (see walk.pxd): the list is indexed directly
            reference = references[slot]
            _set_value(reference, stack[top - 1])
            stack[top - 1] = reference
        elif step is _PUSH_REFERENCE:
            slot = operand
            stack[top] = references[slot]
            top += 1
        elif step is _PUSH_REFERENCES:
            run = operand
            for slot in run:
                stack[top] = references[slot]
                top += 1
        elif step is _NEW_REFERENCE:
            cls, tag, slot = operand
            reference = references[slot] = cls.__new__(cls)
            _set_tag(reference, tag)
        elif step is _PUSH_VALUE:
            stack[top] = operand
            top += 1
        elif step is _BUILD_UNSCOPED:
            cls, tag = operand
            stack[top - 1] = cls(tag, stack[top - 1])
        elif step is _BUILD_DICT:
            node = {}
            for key in operand:
                top -= 1
                node[key] = stack[top]
            stack[top] = node
            top += 1
        else:  # a list or a tuple of that many children, the first on top
            arity = operand
            children = stack[top - arity : top]
            children.reverse()
            top -= arity
            stack[top] = children if step is _BUILD_LIST else tuple(children)
            top += 1
    return stack[0]


def _fold(records: tuple, leaves: tuple) -> Any:
    r"""The reference's :func:`inox.tree.fold` with its builds inlined: the records
    read backwards, each node built from the children on top of the stack (the first
    child on top)."""

    codes = _CODES
    stack: list = []
    push, pop = stack.append, stack.pop
    shared: dict = {}  # SHARE-ROUNDTRIP-IDENTITY: one Reference per (tag, scope)
    position = len(leaves)
    last_class, code = None, None  # the class of the record read last, and its code
    for cls, aux, arity in reversed(records):
        if cls is None:
            position -= 1
            push(leaves[position])
            continue
        if cls is not last_class:  # else code is still its code: a list mostly holds one class
            last_class, code = cls, codes.get(cls)
        if code is _NAMESPACE or code is _PARAMETER or code is _SCOPE:
            # object.__new__: no class that the walk knows has another (see inox.fast.nn),
            # and compiled, this is a call of the class's slot, not of object.__new__'s wrapper.
            node = cls.__new__(cls)
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
                reference = shared[aux] = cls.__new__(cls)
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
