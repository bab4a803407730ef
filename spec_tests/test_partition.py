r"""Partition and combine: PART-KEYS, PART-FILTERS, PART-ROUNDTRIP and PART-ERRORS."""

from random import Random

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import strategies as st

from .graphs import graph_pairs, names, sharing_graphs
from .graphs.classes import input_class
from .graphs.examples import ACYCLIC, EDITED_PAIRS, EVERY_KIND
from .graphs.graph import keystr
from .oracle.compare import (
    assert_array,
    assert_spec_error,
    bump,
    check_tree,
    error_text,
    expected_array,
    is_array,
    names_spec,
    same_structure,
)
from .oracle.materialize import materialize, resolve
from .oracle.model import walk
from .runner.harness import prop

any_graphs = sharing_graphs()

#: Filters, named so that the model can evaluate them on graph nodes.
FILTERS = ('Parameter', 'Module', 'Scope', 'Reference', 'list', 'dict', 'ndim>=2')
_one_filter = st.one_of(st.sampled_from(FILTERS), names.map(lambda n: ('has', n)))
#: Lists of filters; half of them end with ``Scope, Module``, which select a Scope twice
#: (the first must win) and every module at every depth (the closest to the root wins).
filters = st.one_of(
    st.lists(_one_filter, max_size=3), st.lists(_one_filter, max_size=2).map(lambda specs: [*specs, 'Scope', 'Module'])
)


def _filter(impl, spec):
    r"""The filter of the implementation for ``spec``: a type or a predicate."""

    if isinstance(spec, tuple):  # a module with an attribute of that name
        return lambda x: isinstance(x, impl.Module) and spec[1] in impl.attributes(x)
    if spec == 'ndim>=2':
        return lambda x: is_array(x) and x.ndim >= 2
    if spec == 'Reference' and impl.Reference is None:  # ties by identity: no Reference to select
        return lambda x: False
    return {'list': list, 'dict': dict}.get(spec) or getattr(impl, spec)


def _selects(spec, node, identity: bool = False) -> bool:
    r"""Whether the filter ``spec`` selects the object of graph node ``node`` (with
    ``identity``, in a design that ties by identity: no Reference object is there)."""

    if isinstance(spec, tuple):
        return node.kind in ('module', 'scope') and spec[1] in node.keys
    if spec == 'ndim>=2':
        return node.kind == 'array' and len(node.shape) >= 2
    kinds = {
        'Parameter': ('param',),
        'Module': ('module', 'scope'),
        'Scope': ('scope',),
        'Reference': () if identity else ('ref',),
        'list': ('list',),
        'dict': ('dict',),
    }
    return node.kind in kinds[spec]


def _selections(model, specs, path, identity: bool = False) -> list[list[int]]:
    r"""For each ancestor of the leaf at ``path``, root first (the leaf included), the
    filters that select it."""

    chain = [model.instance_at(path[:n]) for n in range(len(path) + 1)]
    return [[i for i, spec in enumerate(specs) if _selects(spec, model.graph[a.node], identity)] for a in chain]


def _expected_partitions(impl, model, specs):
    r"""The keys each partition must hold: a leaf goes to the first filter that selects
    its ancestor closest to the root (itself included), else to the last partition."""

    partitions = [set() for _ in range(len(specs) + 1)]
    for _, path in model.leaves:
        found = _selections(model, specs, path, identity=impl.Reference is None)
        chosen = next((f for f in found if f), [len(specs)])
        partitions[chosen[0]].add(keystr(path, impl.reference_key))
    return partitions


def _leaf_selections(graph, specs) -> list[list[list[int]]]:
    model = walk(graph)
    return [_selections(model, specs, path) for _, path in model.leaves]


@input_class('filters matching at several depths', 'its ancestor closest to the root')
def _nested_matches(graph, specs, *_) -> bool:
    return any(sum(bool(found) for found in chain) > 1 for chain in _leaf_selections(graph, specs))


@input_class('two filters for one ancestor', 'the first filter satisfied')
def _first_of_two(graph, specs, *_) -> bool:
    return any(len(next((f for f in chain if f), [])) > 1 for chain in _leaf_selections(graph, specs))


@input_class('a leaf no filter selects', 'the leaves no filter selects')
def _unselected(graph, specs, *_) -> bool:
    return bool(specs) and any(not any(chain) for chain in _leaf_selections(graph, specs))


@input_class('a predicate filter', 'or a predicate')
def _predicate(graph, specs, *_) -> bool:
    return any(isinstance(spec, tuple) or spec == 'ndim>=2' for spec in specs)


@input_class('a type filter', 'a type (meaning `isinstance`)')
def _type_filter(graph, specs, *_) -> bool:
    return any(isinstance(spec, str) and spec != 'ndim>=2' for spec in specs)


@prop('PART-KEYS', any_graphs, ci=60, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_keys_are_canonical_paths(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    expected = {keystr(path, impl.reference_key): instance for instance, path in model.leaves}
    _, arrays = impl.partition(live.root)
    assert sorted(arrays) == sorted(expected), f'expected keys {sorted(expected)}, found {sorted(arrays)}'
    for key, leaf in arrays.items():
        assert_array(leaf, expected_array(model, expected[key]), key)
    _, params, others = impl.partition(live.root, impl.Parameter)
    assert not set(params) & set(others) and sorted({**params, **others}) == sorted(expected)


@prop(
    'PART-FILTERS',
    any_graphs,
    filters,
    ci=60,
    examples=[(graph, ['Parameter', 'Scope', 'Module']) for graph in (EVERY_KIND, ACYCLIC)],
)
def test_first_filter_of_the_closest_ancestor_to_the_root(impl, graph, specs):
    model = walk(graph)
    live = materialize(graph, impl)
    _, *partitions = impl.partition(live.root, *(_filter(impl, spec) for spec in specs))
    expected = _expected_partitions(impl, model, specs)
    count = len(expected)
    assert len(partitions) == count, f'{len(specs)} filters gave {len(partitions)} partitions, not {count}'
    for n, (found, keys) in enumerate(zip(partitions, expected, strict=True)):
        label = repr(specs[n]) if n < len(specs) else 'the rest'
        assert sorted(found) == sorted(keys), f'partition of {label}: expected {sorted(keys)}, found {sorted(found)}'


#: Neither types nor predicates, one of each type: every example tries them all.
NOT_FILTERS = (3, 'Parameter', None, 2.5)


@prop('PART-FILTERS', any_graphs, ci=4)
def test_other_filters_raise_type_error(impl, graph):
    root = materialize(graph, impl).root
    for bad in NOT_FILTERS:
        with pytest.raises(TypeError) as caught:
            impl.partition(root, bad)
        assert type(bad).__name__ in error_text(caught.value), (
            f'the message does not name the type {type(bad).__name__}'
        )


@prop(
    'PART-ROUNDTRIP',
    any_graphs,
    filters,
    st.randoms(use_true_random=False),
    ci=50,
    examples=[(graph, ['Parameter'], Random(0)) for graph in (EVERY_KIND, ACYCLIC)],
)
def test_combine_restores_the_module(impl, graph, specs, random):
    model = walk(graph)
    live = materialize(graph, impl)
    chosen = [_filter(impl, spec) for spec in specs]
    static, *partitions = impl.partition(live.root, *chosen)
    leaves = {key: leaf for partition in partitions for key, leaf in partition.items()}
    count = random.randint(1, 3)  # any split of the same keys
    split = [{} for _ in range(count)]
    for key in sorted(leaves):
        split[random.randrange(count)][key] = leaves[key]
    check_tree(impl, model, impl.combine(static, *split))

    bumped = {key: bump(leaf) for key, leaf in leaves.items()}
    values = {instance: bump(expected_array(model, instance)) for instance, _ in model.leaves}
    check_tree(impl, model, impl.combine(static, bumped), values=values)


class Placeholder:
    r"""Not an array: combine must put it back where it is given, as unflatten does."""


class ShapeOnly:
    r"""Not an array either, though it has a ``shape`` (and no ``dtype``)."""

    shape = (2,)


#: Values that are not arrays; ``jnp.float32``, a scalar type, has a ``dtype`` but no ``shape``.
NOT_ARRAYS = {'None': None, 'object': Placeholder(), 'float': 1.5, 'type': jnp.float32, 'shaped': ShapeOnly()}


@prop('PART-ROUNDTRIP', any_graphs, ci=20, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_combine_takes_any_leaf_values(impl, graph):
    model = walk(graph)
    static, arrays = impl.partition(materialize(graph, impl).root)
    canonical = {keystr(path, impl.reference_key): path for _, path in model.leaves}
    for value in NOT_ARRAYS.values():  # every kind in every example
        rebuilt = impl.combine(static, {key: value for key in arrays})
        for key in arrays:
            found = resolve(impl, rebuilt, canonical[key])
            assert found is value, f'{key}: combine put {found!r} where {value!r} was given'


@prop('PART-ROUNDTRIP', graph_pairs(), filters, ci=40, examples=[(pair, []) for pair in EDITED_PAIRS])
def test_static_definitions_are_hashable_and_equal(impl, pair, specs):
    graph, other = pair
    same = same_structure(impl, graph, other)
    a, b = (impl.partition(materialize(g, impl).root, *(_filter(impl, s) for s in specs))[0] for g in pair)
    relation = 'equal' if same else 'unequal'
    assert (a == b) == same, f'the static definitions must be {relation}:\n{graph!r}\n--- and ---\n{other!r}'
    assert not same or hash(a) == hash(b), 'equal static definitions have different hashes'


def _leafy(graph) -> bool:
    return bool(walk(graph).leaves)


@prop(
    'PART-ERRORS',
    any_graphs.filter(_leafy),
    st.randoms(use_true_random=False),
    ci=50,
    examples=[(graph, Random(0)) for graph in (EVERY_KIND, ACYCLIC)],
)
def test_missing_unexpected_and_mismatched_keys(impl, graph, random):
    live = materialize(graph, impl)
    static, arrays = impl.partition(live.root)
    keys = sorted(arrays)

    dropped = random.sample(keys, min(len(keys), random.randint(1, 2)))
    with pytest.raises(impl.errors['PartitionKeyError']) as caught:
        impl.combine(static, {k: v for k, v in arrays.items() if k not in dropped})
    assert_spec_error(impl, 'PartitionKeyError', caught.value)
    for key in dropped:
        assert key in error_text(caught.value), f'the error does not name the missing key {key}: {caught.value}'

    extra = {'.not_a_leaf': np.zeros(1), "['nor_this']": np.ones(2)}
    with pytest.raises(impl.errors['PartitionKeyError']) as caught:
        impl.combine(static, {**arrays, **extra})
    assert_spec_error(impl, 'PartitionKeyError', caught.value)
    for key in extra:
        assert key in error_text(caught.value), f'the error does not name the unexpected key {key}: {caught.value}'

    with pytest.raises(impl.errors['PartitionKeyError']) as caught:  # both at once: every key named
        impl.combine(static, {**{k: v for k, v in arrays.items() if k not in dropped}, **extra})
    assert_spec_error(impl, 'PartitionKeyError', caught.value)
    unnamed = [key for key in [*dropped, *extra] if key not in error_text(caught.value)]
    assert not unnamed, f'the error does not name the missing and unexpected keys {unnamed}: {caught.value}'

    changed = random.sample(keys, min(len(keys), random.randint(1, 2)))
    wrong = dict(arrays)
    for key in changed:
        leaf = np.asarray(arrays[key])
        other = np.uint8 if leaf.dtype == np.int8 else np.int8
        wrong[key] = np.zeros(leaf.shape + (1,), leaf.dtype) if random.random() < 0.5 else np.zeros(leaf.shape, other)
    with pytest.raises(impl.errors['LeafSpecError']) as caught:
        impl.combine(static, wrong)
    assert_spec_error(impl, 'LeafSpecError', caught.value)
    text = error_text(caught.value)
    for key in changed:
        given, leaf = np.asarray(wrong[key]), np.asarray(arrays[key])
        assert key in text, f'the error does not name the key {key}: {text}'
        for dtype, shape in ((leaf.dtype, leaf.shape), (given.dtype, given.shape)):
            assert names_spec(dtype, shape, text), f'the error does not name {dtype}{list(shape)} for {key}: {text}'
