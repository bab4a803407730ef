r"""TREE-* rules on the reference implementation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import Chain

import inox.nn as nn
from inox.tree import CycleError, Namespace, Static, flatten, tree_repr, unflatten


def keys(tree):
    return [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]


def test_order_is_sorted_attributes_depth_first():  # TREE-ORDER
    tree = Namespace(b=[jnp.ones(1), {'y': jnp.ones(2), 'x': jnp.ones(3)}], a=jnp.ones(4))
    assert keys(tree) == ['.a', '.b[0]', ".b[1]['x']", ".b[1]['y']"]
    assert [x.shape for x in jax.tree_util.tree_leaves(tree)] == [(4,), (1,), (3,), (2,)]


def test_static_values_live_in_the_structure():  # TREE-STATIC
    a = nn.Module(w=jnp.ones(2), n=3, name='a', f=jnp.sin, none=None)
    b = nn.Module(w=jnp.ones(2), n=4, name='a', f=jnp.sin, none=None)
    assert jax.tree_util.tree_leaves(a) == [a.w]
    assert jax.tree_util.tree_structure(a) != jax.tree_util.tree_structure(b)
    assert jax.jit(lambda m: m.w * m.n)(a).tolist() == [3.0, 3.0]
    assert jax.grad(lambda m: (m.w * m.n).sum())(a).n == 3


def test_explicit_static_keeps_an_array_out_of_the_leaves():  # TREE-STATIC
    tree = Namespace(mask=Static(np.ones(2)), w=jnp.ones(2))
    assert len(jax.tree_util.tree_leaves(tree)) == 1


def test_roundtrip_keeps_structure_statics_and_leaves():  # TREE-ROUNDTRIP
    tree = nn.Module(
        a=[1, 'two', (jnp.ones(2), None)],
        b={'k': nn.Parameter(jnp.zeros((2, 3)))},
        c=nn.Module(d=np.arange(3), e=(1.5,)),
    )
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    again = jax.tree_util.tree_unflatten(treedef, leaves)
    assert tree_repr(again) == tree_repr(tree)
    assert jax.tree_util.tree_structure(again) == treedef
    assert all(x is y for x, y in zip(jax.tree_util.tree_leaves(again), leaves, strict=True))
    assert keys(tree) == [".a[2][0]", ".b['k'].value", '.c.d']


def test_foreign_pytree_nodes_are_walked_through():  # TREE-ROUNDTRIP
    from collections import namedtuple

    Pair = namedtuple('Pair', ['left', 'right'])
    tree = nn.Module(p=Pair(jnp.ones(1), jnp.zeros(1)))
    assert keys(tree) == ['.p.left', '.p.right']
    again = jax.tree_util.tree_map(lambda x: x + 1, tree)
    assert isinstance(again.p, Pair) and again.p.right.tolist() == [1.0]


def test_unflatten_rejects_a_wrong_number_of_leaves():  # TREE-ROUNDTRIP
    flat = flatten([jnp.ones(1), jnp.ones(2)])
    with pytest.raises(ValueError, match='expected 2 leaves'):
        unflatten(flat.structure, [1])


def test_deep_chains_have_no_recursion_limit():  # TREE-DEEP
    scope = Chain(10_000)
    leaves, treedef = jax.tree_util.tree_flatten(scope)
    assert len(leaves) == 10_000
    again = treedef.unflatten(leaves)
    node, depth = again.head, 1
    while hasattr(node.value, 'next'):
        node, depth = node.value.next, depth + 1
    assert depth == 10_000

    module = leaf = nn.Module()
    for _ in range(10_000):
        leaf.child = leaf = nn.Module()
    leaf.w = jnp.ones(1)
    static, rest = module.partition()
    assert len(next(iter(rest))) == len('.child') * 10_000 + len('.w')
    assert static(rest) is not module


def test_deep_repr_does_not_recurse():  # TREE-DEEP
    text = repr(Chain(3_000))
    assert text.count('*Module(') == 3_000


def test_plain_cycle_is_reported_with_both_paths():  # TREE-CYCLE-ERROR
    a = nn.Module(w=jnp.ones(1))
    a.items = [nn.Module(back=a)]
    with pytest.raises(CycleError, match=r"Module at \.items\[0\]\.back contains itself.*<root>"):
        jax.tree_util.tree_leaves(a)
    assert 'cycle' in repr(a)
