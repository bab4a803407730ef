r"""Ties under JAX transformations: SHARE-JIT, SHARE-GRAD, SHARE-VMAP and
SHARE-TREE-MAP.

A function of a module reads its leaves through *uses*: access paths of the model
(:meth:`~spec_tests.oracle.model.Model.uses`), several of which reach a tied leaf through
different occurrences of its tag. Inside every trace, all paths to one instance must
reach one object.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .graphs import FLOAT_DTYPES, graph_pairs, sharing_graphs
from .graphs.examples import ACYCLIC, EDITED_PAIRS, EVERY_KIND
from .graphs.graph import keystr
from .oracle.compare import array_leaves, bump, check_tree, expected_array, is_array, where
from .oracle.materialize import materialize, resolve
from .oracle.model import IDENTITIES, walk
from .runner.harness import prop

USES = 120


def _has_leaves(graph) -> bool:
    return bool(walk(graph).leaves)


any_graphs = sharing_graphs()
# jax.vmap needs an array to batch, jax.grad needs float leaves only.
graphs_with_leaves = any_graphs.filter(_has_leaves)
float_graphs = sharing_graphs(dtypes=FLOAT_DTYPES).filter(_has_leaves)


def _weight(n: int) -> int:
    return n % 5 + 1


def _sums(impl, tree, uses):
    r"""One weighted sum per use: the outputs compared with eager evaluation."""

    return {
        f'{n:04d}': _weight(n) * jnp.sum(jnp.asarray(resolve(impl, tree, path), jnp.float32))
        for n, (path, _) in enumerate(uses)
    }


def _identities(impl, model, tree):
    r"""``(instance, path, object)`` for every access path (run inside a trace)."""

    return [(model.instance_at(path), path, resolve(impl, tree, path)) for path in model.paths(USES)]


def _assert_one_object_per_instance(impl, records, context):
    first = {}
    for instance, path, x in records:
        if instance.kind not in IDENTITIES + ('array',):
            continue
        other = first.setdefault(instance.id, (x, path))
        assert other[0] is x, (
            f'{context}: {where(impl, path)} and {where(impl, other[1])} must be one object (a tie), '
            f'found two {type(x).__name__} objects'
        )


def _assert_same_outputs(found, expected, context):
    assert sorted(found) == sorted(expected), f'{context}: other outputs than eager evaluation'
    for key in expected:
        np.testing.assert_allclose(np.asarray(found[key]), np.asarray(expected[key]), err_msg=f'{context}: use {key}')


@prop('SHARE-JIT', any_graphs, ci=30, cost=3, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_jit_keeps_ties(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    uses = model.uses(USES)
    records = []

    def f(tree):
        records.extend(_identities(impl, model, tree))
        return _sums(impl, tree, uses)

    _assert_same_outputs(impl.jit(f)(live.root), _sums(impl, live.root, uses), 'jit')
    _assert_one_object_per_instance(impl, records, 'inside jit')
    check_tree(impl, model, impl.jit(lambda tree: tree)(live.root))


@prop('SHARE-JIT', graph_pairs(), ci=30, cost=3, examples=[(pair,) for pair in EDITED_PAIRS])
def test_one_jitted_function_for_many_trees(impl, pair):
    trees = [(walk(graph), materialize(graph, impl).root) for graph in pair]
    f = impl.jit(lambda tree: jax.tree_util.tree_map(lambda x: bump(x) if is_array(x) else x, tree))
    for model, root in trees + trees[:1]:  # a stale trace of the first tree would show on the second
        values = {instance: bump(expected_array(model, instance)) for instance, _ in model.leaves}
        check_tree(impl, model, f(root), values=values)


def _expected_gradients(model, uses):
    r"""The gradient of each leaf instance, from an untied reconstruction: every use
    gets a copy of its leaf (laid end to end in one vector, so that jax differentiates
    a few operations whatever the graph), and the copies' gradients are summed per
    leaf."""

    copies = [expected_array(model, instance) for _, instance in uses]
    sizes = [copy.size for copy in copies]
    untied = np.concatenate([copy.ravel() for copy in copies]).astype(np.float32)
    weights = np.repeat([_weight(n) for n in range(len(uses))], sizes).astype(np.float32)
    per_use = np.split(np.asarray(jax.grad(lambda x: jnp.sum(x * weights))(untied)), np.cumsum(sizes)[:-1])
    expected = {}
    for (_, instance), gradient, copy in zip(uses, per_use, copies, strict=True):
        expected[instance] = expected.get(instance, 0) + gradient.reshape(copy.shape)
    return expected


def _loss(impl, uses):
    return lambda tree: sum(_weight(n) * jnp.sum(resolve(impl, tree, path)) for n, (path, _) in enumerate(uses))


@prop('SHARE-GRAD', float_graphs, ci=30, cost=3, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_grad_sums_over_uses(impl, graph):
    model = walk(graph)
    uses = model.uses(USES)
    live = materialize(graph, impl)
    expected = _expected_gradients(model, uses)
    grads = impl.grad(_loss(impl, uses))(live.root)
    for path, instance in uses:
        found = resolve(impl, grads, path)
        np.testing.assert_allclose(np.asarray(found), expected[instance], err_msg=f'gradient at {where(impl, path)}')


@prop('SHARE-GRAD', float_graphs, ci=30, cost=3, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_grad_of_partitioned_parameters(impl, graph):
    model = walk(graph)
    uses = model.uses(USES)
    live = materialize(graph, impl)
    expected = _expected_gradients(model, uses)
    static, params, others = impl.partition(live.root, impl.Parameter)
    loss = _loss(impl, uses)
    grads = jax.grad(lambda p: loss(impl.combine(static, p, others)))(params)
    canonical = {keystr(path, impl.reference_key): instance for instance, path in model.leaves}
    for key, found in grads.items():
        assert key in canonical, f'{key} is not the canonical path of a leaf'
        np.testing.assert_allclose(
            np.asarray(found), expected.get(canonical[key], 0 * np.asarray(found)), err_msg=f'gradient at {key}'
        )


@prop('SHARE-VMAP', graphs_with_leaves, ci=24, cost=3, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_vmap_keeps_ties(impl, graph):
    model = walk(graph)
    uses = model.uses(USES)
    batched = materialize(graph, impl, batch=2)
    records = []

    def f(tree):
        records.extend(_identities(impl, model, tree))
        return _sums(impl, tree, uses)

    found = impl.vmap(f)(batched.root)
    for b in range(2):
        expected = _sums(impl, materialize(graph, impl, offset=3 * b).root, uses)
        _assert_same_outputs({k: v[b] for k, v in found.items()}, expected, f'vmap, batch element {b}')
    _assert_one_object_per_instance(impl, records, 'inside vmap')


@prop('SHARE-TREE-MAP', any_graphs, ci=60, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_tree_map_once_per_leaf(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    calls = []

    def f(x):
        if not is_array(x):
            return x  # released versions map static values too (see TREE-STATIC)
        calls.append(x)
        return bump(x)

    out = jax.tree_util.tree_map(f, live.root)
    assert len(calls) == len(model.leaves), f'f ran {len(calls)} times for {len(model.leaves)} leaves'
    values = {instance: bump(expected_array(model, instance)) for instance, _ in model.leaves}
    check_tree(impl, model, out, values=values)


@prop('SHARE-TREE-MAP', any_graphs, ci=40, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_apis_over_several_trees(impl, graph):
    model = walk(graph)
    a, b = materialize(graph, impl).root, materialize(graph, impl, offset=1).root
    tree_util = jax.tree_util
    second = {instance: expected_array(model, instance, offset=1) for instance, _ in model.leaves}

    pairs = []

    def second_of(x, y):
        if is_array(x):  # released versions map static values too (see TREE-STATIC)
            pairs.append((x, y))
        return y

    out = tree_util.tree_map(second_of, a, b)
    assert len(pairs) == len(model.leaves), f'f ran {len(pairs)} times for {len(model.leaves)} leaves'
    assert _same_objects([x for x, _ in pairs], array_leaves(a)), 'tree_map(f, a, b) gave f other leaves of a'
    assert _same_objects([y for _, y in pairs], array_leaves(b)), (
        'tree_map(f, a, b) gave f the leaves of b at other positions than those of a'
    )
    check_tree(impl, model, out, values=second)

    assert _same_objects(tree_util.tree_structure(a).flatten_up_to(b), tree_util.tree_leaves(b)), (
        'flatten_up_to gave other leaves than tree_leaves'
    )
    assert _same_objects(tree_util.tree_leaves(a, is_leaf=is_array), tree_util.tree_leaves(a)), (
        'is_leaf selecting arrays changed the leaves'
    )
    assert _same_objects(tree_util.tree_leaves(a, is_leaf=lambda x: x is a), [a]), 'is_leaf did not stop at the root'

    if not model.leaves:
        return  # jax cannot transpose a tree without leaves, whatever its nodes
    nested = tree_util.tree_map(lambda x, y: (x, y), a, b)
    first, last = tree_util.tree_transpose(tree_util.tree_structure(a), tree_util.tree_structure((0, 0)), nested)
    check_tree(impl, model, first)
    check_tree(impl, model, last, values=second)


def _same_objects(found, expected) -> bool:
    return len(found) == len(expected) and all(x is y for x, y in zip(found, expected, strict=True))
