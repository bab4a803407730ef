r"""Properties of the tree layer: TREE-ORDER, TREE-STATIC, TREE-LEAF-TYPES, TREE-ROUNDTRIP,
TREE-DEFINITION, TREE-DEEP and TREE-CYCLE-ERROR."""

import copy
import dataclasses
import pickle
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st

from .graphs import (
    FLAVORS,
    FLOAT_DTYPES,
    cyclic_graphs,
    deep_graphs,
    graph_pairs,
    graphs,
    revalued,
    sharing_graphs,
    statics,
    unhashable_statics,
)
from .graphs.classes import input_class
from .graphs.examples import ACYCLIC, EDITED_PAIRS, EVERY_KIND, USER_TREE, WIDE
from .graphs.foreign import UnnamedTuple
from .graphs.graph import Graph, Node, Step, keystr, rooted
from .oracle.compare import (
    array_leaves,
    array_paths,
    assert_array,
    check_tree,
    expected_array,
    is_array,
    names_failure,
    same_structure,
    where,
)
from .oracle.materialize import array_value, equal_copy, materialize, resolve, static_value
from .oracle.model import walk
from .runner.fresh import run_bounded
from .runner.harness import prop

any_graphs = sharing_graphs()


@prop('TREE-ORDER', any_graphs, ci=80, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_leaves_in_flatten_order_with_full_paths(impl, graph):
    model, live = walk(graph), materialize(graph, impl)
    _check_order(impl, model, live.root, 'the root')
    # The leaves of every module are those of its subtree, with paths from it: here the
    # first inner one, a tree of its own (outside the Scopes above it) unless that breaks a rule.
    inner = next((i for i in model.instances[1:] if i.kind in ('module', 'scope')), None)
    if inner is None:
        return
    own = walk(rooted(graph, inner.node))
    if own.failure is None:
        _check_order(impl, own, resolve(impl, live.root, inner.path), f'the module at {where(impl, inner.path)}')


def _check_order(impl, model, module, what):
    pairs = array_paths(module)
    found = [path for path, _ in pairs]
    expected = [keystr(path, impl.reference_key) for _, path in model.leaves]
    assert found == expected, f'leaf paths in flatten order of {what}: expected {expected}, found {found}'
    for (instance, path), (_, leaf) in zip(model.leaves, pairs, strict=True):
        assert_array(leaf, expected_array(model, instance), where(impl, path))


def _retyped(value: Any) -> Any:
    r"""A value equal to ``value`` (``==``) of another type where there is one (``1`` and
    ``1.0``, a tuple and an UnnamedTuple, a dtype and its name), else an equal copy."""

    if type(value) is bool:
        return int(value)
    if type(value) is int:
        return float(value)
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is tuple:
        return UnnamedTuple(value)
    if type(value) is UnnamedTuple:
        return tuple(value)
    if isinstance(value, np.dtype):
        return value.name
    return equal_copy(value)


def _leaf_count(tree):
    return jnp.float32(len(jax.tree_util.tree_leaves(tree)))


def _total(tree):
    return sum(
        (jnp.sum(x) for x in jax.tree_util.tree_leaves(tree) if jnp.issubdtype(x.dtype, jnp.inexact)), jnp.float32(0)
    )


def _has_statics(graph: Graph) -> bool:
    return any(node.kind == 'static' for node in graph.nodes)


def _held_by_several_references(graph: Graph, i: int) -> bool:
    return sum(node.kind == 'ref' and node.children[0] == i for node in graph.nodes) > 1


@input_class('a static value retyped', '`1`, `1.0` and `True` are three values')
def _static_retyped(graph, other, retype, unhashable) -> bool:
    return retype


@input_class('another static value', 'two trees that differ only by a static value')
def _static_other(graph, other, retype, unhashable) -> bool:
    return not retype


# Found by the thorough profile: a static tuple held by two References, under two tags.
_STATIC_UNDER_TWO_TAGS = Graph(
    (
        Node('scope', keys=('a', 'b'), children=(1, 3)),
        Node('ref', children=(2,), tag=0),
        Node('static', value=UnnamedTuple((0, 'a'))),
        Node('ref', children=(2,), tag=(0, 1)),
    )
)


@prop(
    'TREE-STATIC',
    graphs(statics=True).filter(_has_statics),
    statics,
    st.booleans(),
    st.tuples(*[unhashable_statics] * 2),
    ci=60,
    examples=[(_STATIC_UNDER_TWO_TAGS, None, True, (set(), set()))],
)
def test_static_values_are_not_leaves(impl, graph, other, retype, unhashable):
    live = materialize(graph, impl)
    leaves = jax.tree_util.tree_leaves(live.root)
    wrong = [leaf for leaf in leaves if not is_array(leaf)]
    assert not wrong, f'static values among the leaves: {wrong!r}'

    # Passed directly to jax.jit, jax.grad and jax.vmap (TREE-STATIC), not through the adapter.
    arrays = len(array_leaves(live.root))
    assert jax.jit(_leaf_count)(live.root) == arrays, 'jax.jit saw other leaves than the arrays'
    grads = jax.grad(_total, allow_int=True)(live.root)
    assert jax.tree_util.tree_structure(grads) == jax.tree_util.tree_structure(live.root), (
        'jax.grad gave its gradients in a tree of another definition'
    )
    batched = jax.tree_util.tree_map(lambda x: np.stack([x, x]), live.root)
    counts = jax.vmap(_leaf_count, axis_size=2)(batched)  # the size given: a tree may have no array
    assert list(counts) == [arrays] * 2, 'jax.vmap saw other leaves than the arrays'

    i = next(i for i, node in enumerate(graph.nodes) if node.kind == 'static')
    old = graph[i].value

    def definition(value):  # of the graph with static value ``value`` at node i
        changed = Graph(tuple(n if j != i else dataclasses.replace(n, value=value) for j, n in enumerate(graph.nodes)))
        return jax.tree_util.tree_structure(materialize(changed, impl).root)

    # Hashable static values are the same exactly when of one type and equal (TREE-DEFINITION).
    new = _retyped(old) if retype else other
    if type(new) is tuple and not graph[i].wrapped and _held_by_several_references(graph, i):
        # A plain tuple is a node, and SPEC.md leaves open whether one may be held under
        # several tags (SHARE-ALIAS; graphs() never draws it): stay with a tuple that JAX
        # holds as a leaf.
        new = UnnamedTuple(new)
    if graph[i].wrapped and impl.static_wrapper is None:  # held as static_value holds them
        old, new = (static_value(impl, value, wrapped=True) for value in (old, new))
    same = type(new) is type(old) and new == old
    a, b = jax.tree_util.tree_structure(live.root), definition(new)
    relation = 'equal' if same else 'unequal'
    assert (a == b) == same, f'static values {old!r} and {new!r} must give {relation} tree definitions'
    assert not same or hash(a) == hash(b), f'static values {old!r} and {new!r} gave equal definitions, unequal hashes'

    # An unhashable static value: one object is the same value, unequal ones are not.
    first, second = unhashable
    c = definition(first)
    assert c == definition(first), f'one unhashable static value {first!r} gave two tree definitions'
    if type(first) is not type(second) or first != second:
        assert c != definition(second), f'unhashable static values {first!r} and {second!r} gave equal tree definitions'


def _has_scalars(graph: Graph) -> bool:
    return any(node.kind == 'array' and node.flavor == 'scalar' for node in graph.nodes)


def _as_jax(graph: Graph) -> Graph:
    return Graph(tuple(dataclasses.replace(n, flavor='jax') if n.kind == 'array' else n for n in graph.nodes))


@prop('TREE-LEAF-TYPES', sharing_graphs(flavors=FLAVORS).filter(_has_scalars), ci=60)
def test_every_array_type_and_dtype_is_a_leaf(impl, graph):
    model = walk(graph)
    live, alike = materialize(graph, impl), materialize(_as_jax(graph), impl)

    pairs = array_paths(live.root)
    paths = [path for path, _ in pairs]
    others = [path for path, _ in array_paths(alike.root)]
    assert paths == others, f'flatten: leaf paths {paths}, and {others} with jax arrays in place of numpy scalars'
    assert len(pairs) == len(model.leaves), f'flatten gave {len(pairs)} array leaves, not {len(model.leaves)}'
    for (instance, path), (_, leaf) in zip(model.leaves, pairs, strict=True):
        assert_array(leaf, expected_array(model, instance), where(impl, path))

    leaves, treedef = jax.tree_util.tree_flatten(live.root)
    assert treedef == jax.tree_util.tree_structure(alike.root), (
        'tree_structure: unequal definitions with numpy scalars and with jax arrays in their place'
    )
    again = jax.tree_util.tree_leaves(jax.tree_util.tree_unflatten(treedef, leaves))
    assert len(again) == len(leaves) and all(x is y for x, y in zip(again, leaves, strict=True)), (
        'tree_unflatten(tree_flatten(tree)) gave other objects than the leaves given'
    )

    static, arrays = impl.partition(live.root)
    expected = {keystr(path, impl.reference_key): instance for instance, path in model.leaves}
    assert sorted(arrays) == sorted(expected), (
        f'partition\'s array state: expected keys {sorted(expected)}, found {sorted(arrays)}'
    )
    for key, leaf in arrays.items():
        assert_array(leaf, expected_array(model, expected[key]), key)
    check_tree(impl, model, impl.combine(static, arrays))


@prop('TREE-LEAF-TYPES', sharing_graphs(flavors=FLAVORS, dtypes=FLOAT_DTYPES).filter(_has_scalars), ci=40, cost=3)
def test_numpy_scalars_get_gradients_like_jax_arrays(impl, graph):
    live, alike = materialize(graph, impl), materialize(_as_jax(graph), impl)
    paths = [path for path, _ in array_paths(live.root)]

    def loss(tree):  # distinct weights: a gradient in the wrong place shows
        return sum((n + 1) * jnp.sum(x) for n, x in enumerate(array_leaves(tree)))

    found, expected = array_leaves(impl.grad(loss)(live.root)), array_leaves(impl.grad(loss)(alike.root))
    assert len(found) == len(expected) == len(paths), (
        f'{len(found)} gradients for numpy scalars, {len(expected)} for jax arrays, of {len(paths)} leaves'
    )
    for path, a, b in zip(paths, found, expected, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), err_msg=f'gradient at {path}')


@prop('TREE-ROUNDTRIP', any_graphs, ci=80, examples=[(EVERY_KIND,), (ACYCLIC,), (WIDE,), (USER_TREE,)])
def test_flatten_unflatten_round_trip(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    leaves, treedef = jax.tree_util.tree_flatten(live.root)
    # Same structure and leaves; whether tied References come back as one object is
    # SHARE-ROUNDTRIP-IDENTITY's business.
    check_tree(impl, model, jax.tree_util.tree_unflatten(treedef, leaves), references='value')
    mapped = jax.tree_util.tree_map(lambda x: x, live.root)
    check_tree(impl, model, mapped, references='value')
    again, treedef_again = jax.tree_util.tree_flatten(jax.tree_util.tree_unflatten(treedef, leaves))
    assert treedef_again == treedef, 'flattening the rebuilt tree gave another tree definition'
    assert len(again) == len(leaves)
    # The very objects given, not copies or conversions: equal values are not enough.
    paths = [jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_flatten_with_path(live.root)[0]]
    keys = [path for path, leaf in zip(paths, leaves, strict=True) if is_array(leaf)]
    expected = [keystr(path, impl.reference_key) for _, path in model.leaves]
    assert keys == expected, f'the key paths of the leaves: expected {expected}, found {keys}'
    for how, found in (('unflatten', again), ('tree_map', jax.tree_util.tree_leaves(mapped))):
        assert len(found) == len(leaves), f'{how} gave back {len(found)} leaves, not {len(leaves)}'
        copied = [path for path, x, y in zip(paths, found, leaves, strict=True) if x is not y]
        assert not copied, f'{how} gave back other objects than the leaves given, at {copied}'


@prop('TREE-DEFINITION', graph_pairs(), ci=80, examples=[(pair,) for pair in EDITED_PAIRS])
def test_definitions_are_equal_exactly_for_equal_structures(impl, pair):
    graph, other = pair
    same = same_structure(impl, graph, other)
    a, b = materialize(graph, impl).root, materialize(other, impl).root
    relation = 'equal' if same else 'unequal'

    ta, tb = jax.tree_util.tree_structure(a), jax.tree_util.tree_structure(b)
    assert (ta == tb) == same, f'the tree definitions must be {relation}:\n{graph!r}\n--- and ---\n{other!r}'
    sa, sb = impl.partition(a)[0], impl.partition(b)[0]
    assert (sa == sb) == same, f'the static definitions of partition must be {relation}'
    if same:
        assert hash(ta) == hash(tb) and hash(sa) == hash(sb), 'equal definitions with different hashes'


@prop('TREE-DEFINITION', sharing_graphs(), ci=30, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_definitions_do_not_depend_on_leaf_values(impl, graph):
    a, b = materialize(graph, impl).root, materialize(revalued(graph), impl).root
    ta, tb = jax.tree_util.tree_structure(a), jax.tree_util.tree_structure(b)
    assert ta == tb and hash(ta) == hash(tb), 'other leaf values changed the tree definition'
    sa, sb = impl.partition(a)[0], impl.partition(b)[0]
    assert sa == sb and hash(sa) == hash(sb), 'other leaf values changed the static definition of partition'


DEPTH = 200  # the core (TREE-DEPTH)
DEEP = 10_000  # the feature `deep` (TREE-DEEP)
DEEP_REPR = 2_000  # the repr text grows with the square of the depth (SPEC.md)


def _chain_path(graph):
    r"""The path down the chain of a :func:`deep_graphs` graph to its Parameter."""

    path, i = [], 0
    while graph[i].kind != 'param':
        path.append(Step('deref') if graph[i].kind == 'ref' else Step('attr', 'x'))
        i = graph[i].children[0]
    return tuple(path)


def _check_deep(impl, graph):
    r"""Flatten and unflatten, partition and combine, pickle and deepcopy each give back
    the deepest leaf; the first two also keep the tie to it. (What copies keep of other
    objects is COPY-PICKLE's business.)"""

    live = materialize(graph, impl)
    expected = np.asarray(array_value(graph[-1]))
    leaves, treedef = jax.tree_util.tree_flatten(live.root)
    found = [x for x in leaves if is_array(x)]  # before anything is built from them
    assert len(found) == 1, f'flatten: {len(found)} array leaves, expected the deepest one'
    static, *partitions = impl.partition(live.root)
    results = {
        'unflatten': jax.tree_util.tree_unflatten(treedef, leaves),
        'combine': impl.combine(static, *partitions),
        'pickle': pickle.loads(pickle.dumps(live.root)),
        'deepcopy': copy.deepcopy(live.root),
    }
    path = _chain_path(graph)
    for how, result in results.items():
        found = array_leaves(result)
        assert len(found) == 1, f'{how}: {len(found)} array leaves, expected the deepest one'
        assert_array(found[0], expected, f'{how}: the deepest leaf')
        if how in ('unflatten', 'combine') and 'y' in graph[0].keys:  # the root holds the deepest Reference too
            assert resolve(impl, result, (Step('attr', 'y'),)) is resolve(impl, result, path[:-1]), (
                f'{how}: the tie between .y and the deepest Reference is lost'
            )


def _check_repr(impl, graph):
    # That repr works is TREE-DEPTH's and TREE-DEEP's; what it shows is SHARE-REPR's (a feature).
    text = repr(materialize(graph, impl).root)
    assert isinstance(text, str) and text, f'repr gave {text!r}'


def _check_depth(impl, graph):
    _check_deep(impl, graph)
    _check_repr(impl, graph)


# A broken implementation can make a deep tree grow without limit (a copy at every level,
# leaves repeated at every tie): the deep checks run in a worker whose memory is bounded,
# where going past the bound fails the property (fresh.MemoryBoundError).


@prop('TREE-DEPTH', deep_graphs(DEPTH), ci=4, cost=10)
def test_trees_of_core_depth(impl, graph):
    run_bounded(_check_depth, impl, graph)


@prop('TREE-DEEP', deep_graphs(DEEP), ci=2, cost=100)
def test_deep_trees(impl, graph):
    run_bounded(_check_deep, impl, graph)


@prop('TREE-DEEP', deep_graphs(DEEP_REPR), ci=1, cost=10)
def test_repr_of_deep_trees(impl, graph):
    run_bounded(_check_repr, impl, graph)


@prop('TREE-CYCLE-ERROR', cyclic_graphs(), ci=60)
def test_containing_itself_raises_cycle_error(impl, graph):
    names_failure(impl, graph, 'CycleError')
