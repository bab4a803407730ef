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
- unflatten runs a structure that it met before as a program of pickle's virtual
  machine, in C: JAX unflattens a jitted function's outputs and every kept tree
  definition with one structure again and again.

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

__all__ = ['COMPILED', 'Irregular', 'flatten_leaves', 'know', 'unflatten']

import gc
import importlib.machinery
import io
import pickle
import struct
from typing import Any

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
    do (the caller checks that they do, and that :py:`cls` creates its objects with
    :py:`object.__new__`, as the reference's builds do)."""

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
_KEPT_LAYOUTS = 4096  # the records of this many attribute layouts are kept

# The record of a node with children, by its class and its attribute names in insertion
# order: a cache, not walk state. Every node of a class and layout shares one record
# object, so that nothing is allocated for it, and so that JAX's comparison of two
# structures (its jit cache's key) meets the same objects and skips comparing them.
_records: dict[tuple, tuple] = {}
_value_records: dict[type, tuple] = {}  # the record of a Parameter holding its value alone, by class


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


def _walk(root: Any) -> tuple[list, list]:
    r"""The leaves and records of :py:`root`, as the reference's walk makes them; raises
    :class:`Irregular` where the reference must walk instead."""

    leaves: list = []
    records: list = []
    add_leaf, add_record = leaves.append, records.append
    codes, known_records, value_records = _CODES, _records, _value_records
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
                record = value_records[cls]
            else:
                key = (cls, tuple(attributes))
                record = known_records.get(key) or _record_of(key)
            add_record(record)
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
                        add_record(_LEAF_RECORD)
                        continue
                    if child_code is _PARAMETER:
                        inner = child.__dict__
                        if len(inner) == 1:
                            value = inner.get('value', inner)
                            if codes.get(type(value)) is _LEAF:
                                add_record(value_records[type(child)])
                                add_leaf(value)
                                add_record(_LEAF_RECORD)
                                continue
                    names = names[names.index(name) :]
                    break
                else:
                    continue
            node_id = id(x)
            if node_id in active:  # TREE-CYCLE-ERROR, SHARE-SELF-SCOPE
                raise Irregular
            if code is _SCOPE:  # SHARE-SCOPE-NAMESPACE: a table of its own
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


# The programs of the structures that unflatten met, by the structure's id: a cache, not
# walk state. An entry is (the structure, its program): the structure so that no other
# object can take its id while the entry exists; as program, _MET_ONCE until the
# structure is met again, then what _compile made of it, or _NO_PROGRAM. An entry is
# replaced, never changed, and the dict's get, set and clear are each atomic: a thread
# that has read an entry holds a consistent pair whatever other threads do to the cache.
_programs: dict[int, tuple[Structure, Any]] = {}
_KEPT_PROGRAMS = 64  # when this many structures are kept, the cache is cleared
_MET_ONCE = None  # the program of a structure met once: none made yet
_NO_PROGRAM = False  # the program of a structure that _compile cannot express


def unflatten(structure: Structure, leaves: Any) -> Any:
    r"""Rebuilds a tree from its structure and leaves, as the reference's
    :func:`inox.tree.unflatten` does (a :class:`Reference` per tag and scope), for
    any structure that either walk made.

    A structure met again (JAX keeps the structures of a jitted function's outputs, and
    of every tree definition held) is rebuilt by its program (see :func:`_compile`)."""

    leaves = list(leaves)
    if len(leaves) != structure.num_leaves:
        raise ValueError(f'expected {structure.num_leaves} leaves for this structure, got {len(leaves)}')
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        program = _program_of(structure)
        if program is None:
            return _fold(structure.records, leaves)
        code, constants = program
        unpickler = pickle.Unpickler(io.BytesIO(code))
        # Persistent id i loads the leaf i; num_leaves + j, the constant j.
        unpickler.persistent_load = (leaves + constants).__getitem__  # pyright: ignore[reportAttributeAccessIssue]
        return unpickler.load()
    finally:
        if paused:
            gc.enable()


def _program_of(structure: Structure) -> tuple[bytes, list] | None:
    r"""The program of :py:`structure` (see :func:`_compile`) if it was met before and
    can have one, else None; remembers in :data:`_programs` that it was met.

    A program is made at a structure's second meeting, not its first: making one is a
    pass over the records in Python, as a fold is, which a structure met once (a tree
    mapped once) would pay for nothing. A full cache is cleared, not trimmed: finding the least used entry would
    cost every call, and a structure that is in use is met again and kept again.
    Structures are told apart by identity, which costs nothing, where equality costs
    a comparison of their records: JAX hands unflatten the very structure it kept.
    """

    key = id(structure)
    entry = _programs.get(key)
    if entry is None:
        if len(_programs) >= _KEPT_PROGRAMS:
            _programs.clear()
        _programs[key] = (structure, _MET_ONCE)
        return None
    program = entry[1]
    if program is _MET_ONCE:
        program = _compile(structure.records, structure.num_leaves) or _NO_PROGRAM
        _programs[key] = (structure, program)
    return None if program is _NO_PROGRAM else program


def _compile(records: tuple, num_leaves: int) -> tuple[bytes, list] | None:
    r"""The records of a structure as a program of pickle's virtual machine, and the
    objects it loads by persistent id after the leaves: what :func:`_fold` would do, run
    by the unpickler's C loop instead of Python's. None if a record is not one of
    Namespace, Parameter, Scope, Reference, list, tuple, dict, leaf or static value.

    The leaf :py:`i` is persistent id :py:`i`, the constant :py:`j` (a class, a name, a
    tag, a static value, a function) :py:`num_leaves + j`, loaded once into the memo.
    Each node is created by :py:`object.__new__` and its attributes are written into its
    :py:`__dict__` (the dict that :py:`vars` returns) in the records' order, as
    :func:`_fold` does; a Reference per tag and scope is made at its first record, kept in
    the memo, and given its value by the slot's own setter.

    The opcodes are those of pickle's protocol 4 (``pickletools`` documents them): a
    stack machine with a memo, an array of the objects it made. Pickle's is the virtual
    machine of the standard library that creates objects of any class and fills their
    dicts in C: a program made once is run at each meeting of its structure.

    Example:
        >>> from inox.fast.nn import Module, Parameter
        >>> leaves, structure = flatten_leaves(Module(w=Parameter(jax.numpy.ones(2)), n=3))
        >>> code, constants = _compile(structure.records, structure.num_leaves)
        >>> constants[:4]
        [<class 'inox.fast.nn.Module'>, <built-in function vars>, 'n', 3]
        >>> unpickler = pickle.Unpickler(io.BytesIO(code))
        >>> unpickler.persistent_load = (leaves + constants).__getitem__
        >>> unpickler.load()
        Module(
          n = 3,
          w = Parameter(float32[2])
        )
    """

    codes = _CODES
    constants: list = []
    slots: dict[int, int] = {}  # id of a constant -> its memo slot
    references: dict[tuple, int] = {}  # (tag, scope) -> the memo slot of its Reference
    out = bytearray()
    memo = 0  # the number of memo slots taken
    leaf = 0  # the number of leaves loaded

    def load(constant: Any) -> None:
        # Pushes the constant: by persistent id into the memo the first time, then from it.
        nonlocal memo
        slot = slots.get(id(constant))
        if slot is None:
            slots[id(constant)] = memo
            out.extend(pickle.BININT + struct.pack('<i', num_leaves + len(constants)) + pickle.BINPERSID)
            out.extend(pickle.MEMOIZE)
            constants.append(constant)
            memo += 1
        else:
            out.extend(pickle.LONG_BINGET + struct.pack('<I', slot))

    def new(cls: type) -> None:
        # NEWOBJ calls cls.__new__ from C: object.__new__, which every class that the walk
        # knows keeps (see inox.fast.nn).
        load(cls)
        out.extend(pickle.EMPTY_TUPLE + pickle.NEWOBJ)

    def memoize() -> bytes:
        # Keeps the object on top in the next memo slot; returns the op that pushes it again.
        nonlocal memo
        out.extend(pickle.MEMOIZE)
        memo += 1
        return pickle.LONG_BINGET + struct.pack('<I', memo - 1)

    # The nodes whose children are being written, innermost last: [the keys of the
    # children (a namespace's names, a dict's keys) or None, the number of children left
    # to write, the ops that complete the node once they are].
    open_nodes: list[list] = []
    for cls, aux, arity in records:
        if open_nodes and open_nodes[-1][0] is not None:  # a child of a namespace or a dict: its key first
            keys = open_nodes[-1][0]
            load(keys[len(keys) - open_nodes[-1][1]])
        code = codes.get(cls)
        if cls is None:
            out.extend(pickle.BININT + struct.pack('<i', leaf) + pickle.BINPERSID)
            leaf += 1
        elif code is _STATIC_RECORD:
            load(aux.value)
        elif code is _NAMESPACE or code is _PARAMETER or code is _SCOPE:
            new(cls)
            if arity:
                get = memoize()
                load(vars)
                out.extend(get + pickle.TUPLE1 + pickle.REDUCE + pickle.MARK)
                open_nodes.append([aux, arity, pickle.SETITEMS + pickle.POP])
                continue
        elif code is _REFERENCE:
            tag, scope = aux
            if not scope:  # SHARE-UNSCOPED: an object per occurrence
                if arity != 1:
                    return None
                load(cls)
                load(tag)
                open_nodes.append([None, 1, pickle.TUPLE2 + pickle.REDUCE])
                continue
            slot = references.get(aux)
            if slot is None:
                new(cls)
                get = memoize()
                references[aux] = memo - 1
                out.extend(pickle.POP)
                load(_set_tag)
                out.extend(get)
                load(tag)
                out.extend(pickle.TUPLE2 + pickle.REDUCE + pickle.POP)
            else:
                get = pickle.LONG_BINGET + struct.pack('<I', slot)
            if arity:
                load(_set_value)
                out.extend(get)
                open_nodes.append([None, 1, pickle.TUPLE2 + pickle.REDUCE + pickle.POP + get])
                continue
            out.extend(get)
        elif cls is list:
            out.extend(pickle.EMPTY_LIST)
            if arity:
                out.extend(pickle.MARK)
                open_nodes.append([None, arity, pickle.APPENDS])
                continue
        elif cls is tuple:
            if arity:
                out.extend(pickle.MARK)
                open_nodes.append([None, arity, pickle.TUPLE])
                continue
            out.extend(pickle.EMPTY_TUPLE)
        elif cls is dict:
            out.extend(pickle.EMPTY_DICT)
            if arity:
                out.extend(pickle.MARK)
                open_nodes.append([aux, arity, pickle.SETITEMS])
                continue
        else:  # another kind: its build is the reference's business
            return None
        # A node is complete: so are the nodes whose last child it is.
        while open_nodes:
            node = open_nodes[-1]
            node[1] -= 1
            if node[1]:
                break
            out.extend(node[2])
            open_nodes.pop()
    if leaf != num_leaves:
        return None
    out.extend(pickle.STOP)
    # One frame: the unpickler reads it from the file at once, not each opcode by a call.
    return pickle.PROTO + b'\x04' + pickle.FRAME + struct.pack('<Q', len(out)) + out, constants


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
