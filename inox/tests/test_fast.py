r"""The fast walk (:mod:`inox.fast.walk`) against the reference walk, on the trees that
SPEC.md's generators do not build: it must make the very records of the reference."""

import collections.abc
import os
import sys
import threading

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import inox.tree
from inox.fast import nn, walk
from inox.fast.partition import tree_partition
from inox.fast.walk import flatten_leaves, unflatten
from inox.tree import Static
from inox.tree.node import REBUILDS


def test_the_walk_is_the_one_the_build_chose():
    # INOX_FAST_WALK is set by inox/BUILD.bazel: the tests run on the compiled walk and on its source.
    chosen = os.environ.get('INOX_FAST_WALK')
    if chosen is None:
        pytest.skip('not run by Bazel: the walk is whichever is importable here')
    assert walk.COMPILED == (chosen == 'compiled'), walk.__file__


def assert_as_the_reference(tree):
    r"""The fast walk flattens :py:`tree` to the reference's leaves and records, and its
    structure is rebuilt by the fast unflatten (its fold, then the plan of a structure
    met again) and by the reference's."""

    reference = inox.tree.flatten(tree)
    leaves, structure = flatten_leaves(tree)
    assert structure.records == reference.structure.records
    assert len(leaves) == len(reference.leaves)
    assert all(a is b for a, b in zip(leaves, reference.leaves, strict=True))
    for again in (unflatten(structure, leaves), unflatten(structure, leaves), inox.tree.unflatten(structure, leaves)):
        refolded = inox.tree.flatten(again)
        assert refolded.structure == reference.structure
        assert all(a is b for a, b in zip(refolded.leaves, reference.leaves, strict=True))


def scaled(value):
    r"""A Parameter that holds a static and an array besides its value."""

    parameter = nn.Parameter(jnp.full(2, value))
    parameter.scale = 2
    parameter.mask = jnp.ones(2, dtype=bool)
    return parameter


@pytest.mark.parametrize(
    'tree',
    [
        scaled(1.0),  # the root
        nn.Module(w=scaled(1.0), b=nn.Parameter(jnp.zeros(2))),  # where Parameters of an array are written at once
        nn.Module(a=jnp.ones(1), w=scaled(1.0), z=[scaled(2.0)]),  # after a child on the stack
        nn.Scope(a=nn.Reference('w', scaled(1.0))),  # the value of a Reference
    ],
    ids=['root', 'layer', 'stacked', 'referenced'],
)
def test_a_parameter_with_more_attributes_keeps_them(tree):
    assert_as_the_reference(tree)


def test_a_parameter_without_its_value_flattens_as_the_reference():
    emptied = nn.Parameter(jnp.ones(2))
    del emptied.value
    renamed = nn.Parameter(jnp.ones(2))
    renamed.__dict__['other'] = renamed.__dict__.pop('value')
    assert_as_the_reference(nn.Module(e=emptied, r=renamed))
    assert_as_the_reference(renamed)


@pytest.mark.parametrize(
    'value',
    [None, 3, 2.5, 'relu', (), Static(jnp.ones(2)), Static('x'), jnp.tanh],
    ids=['none', 'int', 'float', 'str', 'empty-tuple', 'static-array', 'static-str', 'function'],
)
def test_static_values_make_the_references_records(value):
    tree = nn.Module(s=value, w=nn.Parameter(jnp.ones(2)), l=[value, jnp.zeros(1)])
    assert_as_the_reference(tree)
    assert_as_the_reference(value)


def tied(size, label):
    r"""A scope of :py:`size` positions tying one layer, with a static :py:`label` and a
    dict: trees of distinct sizes or labels have distinct structures."""

    layer = nn.Module(w=nn.Parameter(jnp.ones(2)), b=scaled(0.0))
    reference = nn.Reference('layer', layer)
    return nn.Scope(positions=[reference] * size, label=label, extra={'b': (jnp.zeros(1), None), 'a': size})


def test_threads_unflatten_while_the_plans_fill_and_clear(monkeypatch):  # THREAD-SAFE
    # 8 threads, each with 12 structures of its own (96, more than the cache keeps), one
    # equal to another thread's, and one structure shared by all, each unflattened again
    # and again: structures enter the cache, get plans and are cleared out while
    # other threads run theirs.
    planned = []
    plan = walk._plan
    monkeypatch.setattr(walk, '_plan', lambda *args: planned.append(1) or plan(*args))
    shared = flatten_leaves(tied(3, 'shared'))
    flats = [
        [flatten_leaves(tied(2, 'equal')), *(flatten_leaves(tied(1 + size, f'thread {t}')) for size in range(11))]
        for t in range(8)
    ]
    expected = {
        id(structure): inox.tree.flatten(inox.tree.unflatten(structure, leaves))
        for leaves, structure in [shared, *sum(flats, [])]
    }
    barrier = threading.Barrier(8)
    failures = []

    def work(own):
        try:
            run(own)
        except Exception as error:  # a thread's exception is only printed
            failures.append(error)

    def run(own):
        barrier.wait()
        for _ in range(6):
            for leaves, structure in [*own, shared]:
                for _ in range(3):  # the fold, the plan made, the plan again
                    again = unflatten(structure, leaves)
                    refolded = inox.tree.flatten(again)
                    reference = expected[id(structure)]
                    same_leaves = all(a is b for a, b in zip(refolded.leaves, reference.leaves, strict=True))
                    tied_once = all(position is again.positions[0] for position in again.positions)
                    if refolded.structure != reference.structure or not same_leaves or not tied_once:
                        failures.append(again)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        threads = [threading.Thread(target=work, args=(own,)) for own in flats]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    assert len(planned) >= 97 and len(walk._plans) <= walk._KEPT_PLANS


def _cycle_through(container):
    # A module holding a Reference, outside any scope, whose value leads back to it.
    reference = nn.Reference('t', None)
    reference.value = container(reference)
    return nn.Module(r=reference)


@pytest.mark.parametrize(
    'container',
    [
        lambda reference: reference,
        lambda reference: nn.Reference('b', reference),
        lambda reference: nn.Module(w=nn.Parameter(jnp.ones(2)), r=reference),
        lambda reference: [reference],
        lambda reference: {'r': reference},
    ],
    ids=['itself', 'two', 'module', 'list', 'dict'],
)
def test_a_cycle_through_unscoped_references_is_the_references_error(container):  # TREE-CYCLE-ERROR
    # A Reference is among the walk's ancestors only where its value is one: each way
    # back must still be seen, where no scope prunes it, and handed to the reference.
    with pytest.raises(Exception) as expected:
        inox.tree.flatten(_cycle_through(container))
    with pytest.raises(type(expected.value)) as caught:
        flatten_leaves(_cycle_through(container))
    assert str(caught.value) == str(expected.value)


def test_references_to_a_layer_of_arrays_flatten_as_the_reference():
    layer = nn.Module(w=nn.Parameter(jnp.ones(2)), b=nn.Parameter(jnp.zeros(2)), x=jnp.ones(1))
    shared = nn.Reference('t', layer)
    assert_as_the_reference(nn.Scope(a=shared, b=[shared, nn.Reference('t', layer)], c=nn.Reference('u', [layer])))


def test_a_class_with_its_own_new_is_walked_by_the_reference():
    # The fast fold creates nodes with the class's __new__, which must then be object's.
    created = []

    class Counted(nn.Module):
        def __new__(cls, *args, **kwargs):
            created.append(cls)
            return super().__new__(cls)

    tree = nn.Scope(a=nn.Reference('c', Counted(w=nn.Parameter(jnp.ones(2)))), b=Counted(n=1))
    assert_as_the_reference(tree)
    assert len(created) == 2  # the unflattens went through the reference's object.__new__


class Frozen(nn.Module):
    r"""A module that refuses attribute writes once built, through its own __setattr__."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)

    def __setattr__(self, name, value):
        raise AttributeError(f'{name}: frozen')


class Guarded(nn.Module):
    r"""A module whose attribute `w` is a property: a write goes through its setter."""

    @property
    def w(self):
        return self.__dict__['w']

    @w.setter
    def w(self, value):
        raise AttributeError('w: guarded')


def test_a_node_that_setattr_cannot_write_is_rebuilt_as_the_reference():
    guarded = Guarded()
    guarded.__dict__['w'] = nn.Parameter(jnp.ones(2))
    for tree in (Frozen(w=nn.Parameter(jnp.ones(2)), n=3), guarded):
        assert walk._CODES[type(tree)] == walk.ROLES['namespace']  # handled by the walk, not handed over
        leaves, structure = flatten_leaves(tree)
        assert walk._plan(structure.records) is None
        assert_as_the_reference(tree)


class Equal(nn.Reference):
    r"""A Reference equal to every Reference of its tag. A class that defines __eq__
    alone has no __hash__: a dict cannot be keyed by its objects."""

    __slots__ = ()

    def __eq__(self, other):
        return isinstance(other, Equal) and self.tag == other.tag


def test_a_reference_that_compares_by_value_is_walked_by_the_reference():
    layer = nn.Module(w=nn.Parameter(jnp.ones(2)))
    tied = Equal('t', layer)
    assert Equal not in walk._CODES  # handed to the reference, which keys nothing by it
    other = Equal('u', nn.Module(w=nn.Parameter(jnp.zeros(2))))
    assert_as_the_reference(nn.Scope(a=tied, b=[tied, tied, Equal('t', layer)], c=other))


def test_a_definition_of_partition_is_rebuilt_by_the_fast_unflatten():
    layer = nn.Module(w=nn.Parameter(jnp.ones(2)), n=3)
    model = nn.Scope(a=nn.Reference('t', layer), b=[nn.Reference('t', layer)], c=jnp.zeros(1))
    definition, params, others = model.partition(nn.Parameter)
    assert type(definition) is inox.nn.ModuleDef and REBUILDS[type(model)] is unflatten
    for _ in range(3):  # folded, then rebuilt by the plan of a structure met again
        again = definition(params, others)
        assert again.b[0] is again.a
        assert inox.tree.flatten(again).structure == inox.tree.flatten(model).structure
    assert walk._plans[id(definition.structure)][1]


def test_a_plan_tells_its_steps_by_their_codes_not_their_operands():
    # Slots, list lengths and static values from 0 to 11, as small as the codes of the
    # plan's steps; read backwards, as the plan reads the records, a repeated Reference
    # follows each, and then a run of two.
    references = [nn.Reference(i, nn.Parameter(jnp.full(2, float(i)))) for i in range(12)]
    held = []
    for i, reference in enumerate(references):
        held += [reference, i, reference, list(range(i)), reference, reference]
    tree = nn.Scope(again=references, held=held)
    assert_as_the_reference(tree)
    operands = walk._plans[id(flatten_leaves(tree)[1])][1][1]
    assert any(type(operand) is list for operand in operands)  # a run of repeats: its slots


@pytest.mark.parametrize('tags', [(None, 'x'), ('x', None)])
def test_a_node_under_two_tags_is_the_references_alias_error_whatever_the_tags(tags):  # SHARE-ALIAS
    # None is a tag like any hashable: a claim made under it is a claim all the same.
    layer = nn.Module(w=nn.Parameter(jnp.ones(2)))
    tree = nn.Scope(a=nn.Reference(tags[0], layer), b=nn.Reference(tags[1], layer))
    with pytest.raises(nn.AliasError) as expected:
        inox.tree.flatten(tree)
    with pytest.raises(nn.AliasError) as caught:
        flatten_leaves(tree)
    assert str(caught.value) == str(expected.value)


def test_a_tree_flattened_again_unchanged_has_the_same_structure():
    # Every record of the walk is kept, so the structure made before is found by identity.
    tree = tied(3, 'label')
    tree.alone = nn.Reference('alone', None)
    before = flatten_leaves(tree)[1]
    assert flatten_leaves(tree)[1] is before
    assert flatten_leaves(tied(3, 'label'))[1] is not before  # the tree without the Reference


def _records_shown(structure):
    r"""The records of :py:`structure` with the class of every value they hold shown:
    records that are equal but hold 1 where the other holds 1.0 or True differ here."""

    return [(cls, repr(aux), arity) for cls, aux, arity in structure.records]


def _retag(tree, tag):
    tree.a.tag = tag


def _rekey(tree, key):
    tree.d = {key: tree.d.popitem()[1]}


def _relabel(tree, label):
    tree.n = label


def _revalue(tree, _):
    tree.a.value = nn.Module(w=nn.Parameter(jnp.zeros(2)))


@pytest.mark.parametrize('change', [_retag, _rekey, _relabel, _revalue])
@pytest.mark.parametrize('value', [1.0, True, 1])
def test_a_changed_tree_has_the_structure_of_its_change(change, value):
    # Each change leaves the records as many, and equal or not, as before: the kept
    # structure must not be taken for the changed tree's (1, 1.0 and True are equal keys).
    tied = nn.Reference(1, nn.Module(w=nn.Parameter(jnp.ones(2))))
    tree = nn.Scope(a=tied, b=tied, d={1: jnp.ones(1)}, n=1)
    flatten_leaves(tree)
    change(tree, value)
    leaves, structure = flatten_leaves(tree)
    assert _records_shown(structure) == _records_shown(inox.tree.flatten(tree).structure)
    for _ in range(3):  # folded, then by its plan
        assert _records_shown(flatten_leaves(unflatten(structure, leaves))[1]) == _records_shown(structure)


def _assert_partitions_as_the_reference(tree, *filters):
    expected = inox.tree.tree_partition(tree, *filters, definition=nn.ModuleDef)
    for _ in range(2):  # the layout made, then kept
        found = tree_partition(tree, *filters, definition=nn.ModuleDef)
        assert found[0] == expected[0] and found[0].keys == expected[0].keys
        assert [list(part) for part in found[1:]] == [list(part) for part in expected[1:]]
        for part, reference in zip(found[1:], expected[1:], strict=True):
            assert all(part[key] is reference[key] for key in reference)


def _partitioned_tree():
    layer = nn.Module(w=nn.Parameter(jnp.ones(2)), b=scaled(0.0), x=jnp.zeros(1))
    tied = nn.Reference('t', layer)
    keyed = {10: jnp.ones(1), 2: (jnp.zeros(2), nn.Parameter(jnp.ones(3)))}
    named = {'k': [nn.Parameter(jnp.ones(1))], 'j': {}}
    scope = nn.Scope(a=tied, b=[tied, nn.Reference('u', nn.Parameter(jnp.ones(1)))], d=keyed, e=named, f=None)
    return nn.Module(r=nn.Reference('v', nn.Parameter(jnp.ones(2))), s=scope)  # r: outside any scope


@pytest.mark.parametrize(
    'filters',
    [(), (nn.Parameter,), (nn.Module,), (nn.Reference, nn.Parameter), (list, dict, nn.Parameter), (jax.Array,)],
    ids=['none', 'parameter', 'module', 'reference-first', 'containers', 'array'],
)
def test_the_fast_partition_is_the_references(filters):  # PART-KEYS, PART-FILTERS
    # Keys read from the records, groups from the classes in them, the leaves' own classes last.
    _assert_partitions_as_the_reference(_partitioned_tree(), *filters)


def test_a_partition_by_predicate_or_abstract_class_is_the_references():
    tree = _partitioned_tree()
    _assert_partitions_as_the_reference(tree, lambda x: isinstance(x, nn.Parameter) and x.value.size > 1)
    _assert_partitions_as_the_reference(tree, collections.abc.Sequence)


def _disguised(base):
    r"""A subclass of :py:`base` whose objects claim to be Parameters: isinstance sees
    it, their class does not."""

    class Disguised(base):
        @property
        def __class__(self):  # pyright: ignore[reportIncompatibleMethodOverride] (read-only: the point)
            return nn.Parameter

    return Disguised


@pytest.mark.parametrize('base', [nn.Module, nn.Scope, nn.Parameter], ids=['module', 'scope', 'parameter'])
def test_a_class_that_hides_its_own_is_partitioned_by_the_reference(base):
    disguised = _disguised(base)
    assert disguised not in walk._CODES
    node = disguised.__new__(disguised)
    node.__dict__['w'] = jnp.ones(2)
    tree = nn.Module(d=node, p=nn.Parameter(jnp.zeros(1)))
    _assert_partitions_as_the_reference(tree, nn.Parameter)
    assert list(tree_partition(tree, nn.Parameter)[1]) == ['.d.w', '.p.value']


def test_a_leaf_outside_the_filters_ancestors_goes_by_its_own_class():  # PART-FILTERS
    tree = nn.Module(a=np.ones(2), b=[np.zeros(1), jnp.ones(1)], p=nn.Parameter(np.ones(3)))
    _assert_partitions_as_the_reference(tree, np.ndarray)
    _assert_partitions_as_the_reference(tree, nn.Parameter, np.ndarray)
    assert list(tree_partition(tree, nn.Parameter, np.ndarray)[2]) == ['.a', '.b[0]']


def test_one_structure_partitioned_by_other_filters_has_their_groups():
    tree = _partitioned_tree()
    for filters in [(nn.Parameter,), (nn.Module,), (nn.Parameter,)]:
        _assert_partitions_as_the_reference(tree, *filters)


def test_nodes_of_one_class_with_other_names_have_their_own_records():
    # The walk reuses the record of the node of a class met last where a node has its names.
    tree = [nn.Module(a=jnp.ones(1), b=2), nn.Module(a=jnp.ones(1), c=2), nn.Module(c=3, a=jnp.ones(1)), nn.Module(a=1)]
    assert_as_the_reference(tree)
