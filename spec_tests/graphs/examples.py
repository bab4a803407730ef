r"""Fixed graphs for the explicit examples of properties: each meets input classes
(:mod:`spec_tests.graphs.classes`) that the first random examples of the ``ci`` profile may
miss on some route (hypothesis draws other examples where other modules are loaded).
Explicit examples run first, in every profile.

Example:
    >>> from spec_tests.graphs.classes import CLASSES
    >>> [name for name in ('a named tuple', 'a foreign JAX node', 'plain sharing') if CLASSES[name].met(EVERY_KIND)]
    ['a named tuple', 'a foreign JAX node', 'plain sharing']
"""

from __future__ import annotations

import dataclasses

from .graph import Graph, Node


def _array(seed: int, shape: tuple = (2,)) -> Node:
    return Node('array', shape=shape, seed=seed)


#: One node of every kind in a Scope, named tuple fields and attributes out of sorted order,
#: a foreign node of two children, an array at two positions, a Reference at two, a
#: tied Reference that holds a tied Reference (``.u`` and ``.v`` hold the Reference at ``.e``,
#: so the one in ``.u`` is pruned), a cycle through a Reference and a Scope in the Scope.
EVERY_KIND = Graph(
    (
        Node(
            'scope',
            keys=('x', 'l', 't', 'd', 'r', 's', 'b', 'p', 'q', 'c', 'u', 'o', 'n', 'e', 'v'),
            children=(1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 21, 25, 28, 22, 21),
        ),
        _array(1),
        Node('list', children=(10,)),
        Node('tuple', children=(11, 12)),
        Node('dict', keys=('k', 'a'), children=(13, 1)),
        Node('record', keys=('z', 'a'), children=(14, 15)),
        Node('stack', children=(16, 17)),
        Node('box', keys=('v',), children=(18,)),
        Node('ref', tag='t', children=(19,)),
        Node('static', value='c'),
        _array(2, (3, 2)),
        _array(3, ()),
        Node('static', value=(1, 'a'), wrapped=True),
        _array(4),
        _array(5),
        Node('static', value=7),
        _array(6),
        _array(7, (0,)),
        _array(8),
        Node('param', children=(20,)),
        _array(9),
        Node('ref', tag='u', children=(22,)),
        Node('ref', tag='w', children=(23,)),
        Node('module', keys=('m',), children=(24,)),
        _array(10, (1, 2)),
        Node('ref', tag='o', children=(26,)),
        Node('module', keys=('back', 'v'), children=(25, 27)),
        _array(11),
        Node('scope', keys=('p',), children=(29,)),
        Node('param', children=(30,)),
        _array(12),
    )
)

#: A tree of modules of the user's own classes alone, as a user's model is (its modules and
#: Scopes are of classes written for it): a module holding a Reference outside any Scope at
#: two positions and a Scope, which holds an array, a static value and a module tied at two
#: positions and holding itself through its Reference.
USER_TREE = Graph(
    (
        Node('module', keys=('u', 'v', 's'), children=(1, 1, 3), user_class=True),
        Node('ref', tag='u', children=(2,)),
        _array(1),
        Node('scope', keys=('a', 'b', 'c', 's'), children=(4, 5, 5, 6), user_class=True),
        _array(2),
        Node('ref', tag='t', children=(7,)),
        Node('static', value='s'),
        Node('module', keys=('w', 'back'), children=(8, 5), user_class=True),
        _array(3),
    )
)

#: :data:`EVERY_KIND` with a StateEntry where the tied Reference at ``.p`` and ``.q`` holds a
#: Parameter (the feature ``state``).
WITH_ENTRY = Graph(tuple(Node('entry', children=n.children) if i == 19 else n for i, n in enumerate(EVERY_KIND.nodes)))

#: :data:`EVERY_KIND` without its cycle: ``.o``'s module no longer holds ``.o``.
ACYCLIC = Graph(
    tuple(dataclasses.replace(n, keys=('v',), children=(27,)) if i == 26 else n for i, n in enumerate(EVERY_KIND.nodes))
)


def _wide() -> Graph:
    nodes: list = [Node('scope', keys=('again', 'held'), children=(1, 2)), None, None]  # its lists, made last
    references: list[int] = []
    held: list[int] = []
    for i in range(12):
        r = len(nodes)  # the Reference of tag i; then its module, two arrays, the value i, a list
        nodes += [
            Node('ref', tag=i, children=(r + 1,)),
            Node('module', keys=('b', 'w'), children=(r + 2, r + 3)),
            _array(2 * i + 1),
            _array(2 * i + 2, (3,)),
            Node('static', value=i),
            Node('list', children=tuple(j + 4 for j in references)),  # the values below i
        ]
        references.append(r)
        held += [r, r + 4, r, r + 5, r, r, r]
    nodes[1], nodes[2] = Node('list', children=tuple(references)), Node('list', children=tuple(held))
    return Graph(tuple(nodes))


#: Wider than the strategies draw (the input class 'a wide tree'): twelve tags, each held
#: by a Reference to a module of two arrays, the References repeated beside the static
#: values and list lengths 0 to 11, and three times in a row (a run of repeats that grows).
WIDE = _wide()

#: Twins: two Reference objects with one tag and one value, in one Scope.
TWINS = Graph(
    (
        Node('scope', keys=('a', 'b'), children=(1, 2)),
        Node('ref', tag='t', children=(3,)),
        Node('ref', tag='t', children=(3,)),
        Node('param', children=(4,)),
        _array(1),
    )
)

#: A Reference outside any Scope inside its own value: a CycleError (SHARE-UNSCOPED).
UNSCOPED_SELF = Graph(
    (
        Node('module', keys=('a',), children=(1,)),
        Node('ref', tag='t', children=(2,)),
        Node('module', keys=('b', 'w'), children=(1, 3)),
        _array(1),
    )
)

# Two References to Parameters in a Scope, the base of the edited pairs below.
_BASE = Graph(
    (
        Node('scope', keys=('a', 'b', 'c'), children=(1, 2, 1)),
        Node('ref', tag='x', children=(3,)),
        Node('ref', tag='y', children=(4,)),
        Node('param', children=(5,)),
        Node('param', children=(6,)),
        _array(1),
        _array(2, (3,)),
    )
)


def _edited(**changes: Node) -> Graph:
    r"""``_BASE`` with the nodes given by id (``n1=...``) replaced."""

    nodes = list(_BASE.nodes)
    for name, node in changes.items():
        nodes[int(name[1:])] = node
    return Graph(tuple(nodes))


#: Pairs of graphs that differ by one edit each (TREE-DEFINITION): the References at ``.a``
#: and ``.b`` swapped, one retagged, a twin at ``.c``, a key renamed, a node retyped, the
#: Scope of the user's own class, and other leaf values (the same structure).
EDITED_PAIRS = (
    (_BASE, _edited(n0=Node('scope', keys=('a', 'b', 'c'), children=(2, 1, 2)))),
    (_BASE, _edited(n2=Node('ref', tag='z', children=(4,)))),
    (_BASE, Graph(_edited(n0=Node('scope', keys=('a', 'b', 'c'), children=(1, 2, 7))).nodes + (_BASE[1],))),
    (_BASE, _edited(n0=Node('scope', keys=('a', 'b', 'd'), children=(1, 2, 1)))),
    (_BASE, _edited(n0=Node('module', keys=('a', 'b', 'c'), children=(1, 2, 1)))),
    (_BASE, _edited(n0=dataclasses.replace(_BASE[0], user_class=True))),
    (_BASE, _edited(n5=dataclasses.replace(_BASE[5], seed=9))),
)
