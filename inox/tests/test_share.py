r"""SHARE-* rules on the reference implementation, by example."""

import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest
from conftest import Chain

import inox.nn as nn
from inox.tree import CycleError


def keys(tree):
    return [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]


def param(value=0.0):
    return nn.Parameter(jnp.full(2, value))


def test_tag_must_be_hashable():  # SHARE-TAG-HASHABLE
    with pytest.raises(TypeError, match='must be hashable.*of type list'):
        nn.Reference(['a'], param())  # pyright: ignore[reportArgumentType] (the unhashable tag under test)
    tagged = nn.Scope(a=nn.Reference(('a', 1), param()))
    assert len(jax.tree_util.tree_leaves(tagged)) == 1  # the tag is not a leaf


def test_inner_scope_has_its_own_tags():  # SHARE-SCOPE-NAMESPACE
    inner = nn.Scope(x=nn.Reference('t', param(1.0)))
    inner.y = inner.x
    outer = nn.Scope(a=nn.Reference('t', param(2.0)), inner=inner)
    outer.b = outer.a
    assert keys(outer) == ['.a.value.value', '.inner.x.value.value']
    again = jax.tree_util.tree_map(lambda x: x, outer)
    assert again.a is again.b and again.inner.x is again.inner.y
    assert again.a is not again.inner.x


def test_first_occurrence_is_canonical_and_later_ones_are_pruned():  # SHARE-PRUNE-FIRST
    shared = nn.Reference('w', param())
    scope = nn.Scope(z=shared, a=nn.Module(inner=shared), m=[shared])
    assert keys(scope) == ['.a.inner.value.value']


def test_leaf_count_counts_each_tag_once_and_plain_sharing_twice():  # SHARE-LEAF-COUNT
    tied, plain = nn.Reference('t', param()), param()
    scope = nn.Scope(a=tied, b=tied, c=plain, d=plain)
    assert len(jax.tree_util.tree_leaves(scope)) == 3
    again = jax.tree_util.tree_map(lambda x: x, scope)
    assert again.a is again.b and again.c is not again.d


def test_equal_references_merge_into_one_object():  # SHARE-ROUNDTRIP-IDENTITY
    value = param()
    scope = nn.Scope(a=nn.Reference('t', value), b=nn.Reference('t', value))
    again = jax.tree_util.tree_map(lambda x: x + 1, scope)
    assert again.a is again.b and again.a.value.value.tolist() == [1.0, 1.0]


@pytest.mark.parametrize('length', [1, 2, 3, 50])
def test_cycles_come_back_by_identity(length):  # SHARE-CYCLES
    scope = Chain(length, cyclic=True)
    again = jax.tree_util.tree_map(lambda x: x + 1, scope)
    node = again.head
    for _ in range(length):
        node = node.value.next
    assert node is again.head
    assert len(jax.tree_util.tree_leaves(again)) == length


def test_cycles_through_containers():  # SHARE-CYCLES
    a = nn.Module(w=param())
    ref = nn.Reference('a', a)
    a.children = [(ref, {'again': ref})]
    scope = nn.Scope(root=ref)
    again = jax.tree_util.tree_map(lambda x: x, scope)
    assert again.root.children[0][0] is again.root
    assert again.root.children[0][1]['again'] is again.root


def test_conflicting_tag_names_tag_and_both_paths():  # SHARE-TAG-CONFLICT
    scope = nn.Scope(a=nn.Reference('t', param()), b=[nn.Reference('t', param())])
    with pytest.raises(nn.TagConflictError, match=r"tag 't' .* at \.a .* at \.b\[0\]"):
        jax.tree_util.tree_leaves(scope)


def test_conflict_is_raised_under_python_O():  # SHARE-TAG-CONFLICT
    code = (
        'import jax, jax.numpy as jnp, inox.nn as nn\n'
        "s = nn.Scope(a=nn.Reference('t', nn.Parameter(jnp.ones(1))),"
        " b=nn.Reference('t', nn.Parameter(jnp.ones(1))))\n"
        'try:\n    jax.tree_util.tree_leaves(s)\n'
        'except nn.TagConflictError:\n    print("raised")\n'
    )
    out = subprocess.run([sys.executable, '-O', '-c', code], capture_output=True, text=True)
    assert out.stdout.strip() == 'raised', out.stderr


def test_one_object_under_two_tags_is_an_alias_error():  # SHARE-ALIAS
    value = param()
    scope = nn.Scope(a=nn.Reference('x', value), b=nn.Reference('y', value))
    with pytest.raises(nn.AliasError, match=r"tag 'x' at \.a .* tag 'y' at \.b in the same Scope"):
        jax.tree_util.tree_leaves(scope)


def test_one_reference_in_two_scopes_is_an_alias_error():  # SHARE-ALIAS
    ref = nn.Reference('x', param())
    scope = nn.Scope(a=ref, inner=nn.Scope(b=ref))
    with pytest.raises(nn.AliasError, match='in another Scope'):
        jax.tree_util.tree_leaves(scope)


def test_arrays_may_be_held_under_several_tags():  # SHARE-ALIAS
    array = jnp.ones(2)
    scope = nn.Scope(a=nn.Reference('x', array), b=nn.Reference('y', array))
    assert len(jax.tree_util.tree_leaves(scope)) == 2


def test_scope_that_contains_itself():  # SHARE-SELF-SCOPE
    scope = nn.Scope(w=param())
    scope.me = nn.Reference('me', nn.Module(back=scope))
    with pytest.raises(CycleError, match=r'Scope at \.me\.value\.back contains itself'):
        jax.tree_util.tree_leaves(scope)


def test_outside_a_scope_a_reference_is_a_plain_wrapper():  # SHARE-UNSCOPED
    ref = nn.Reference('t', param())
    module = nn.Module(a=ref, b=ref)
    assert keys(module) == ['.a.value.value', '.b.value.value']
    again = jax.tree_util.tree_map(lambda x: x, module)
    assert again.a is not again.b and again.a.tag == 't'


def test_unscoped_cycle_is_an_error():  # SHARE-UNSCOPED
    module = nn.Module()
    module.self = nn.Reference('loop', module)
    with pytest.raises(CycleError, match="Module at .self.value contains itself"):
        jax.tree_util.tree_leaves(module)
    ref = nn.Reference('loop', nn.Module())
    ref.value.back = ref
    with pytest.raises(CycleError, match="Reference with tag 'loop' at .value.back"):
        jax.tree_util.tree_leaves(ref)


def test_reference_forwards_calls_and_attributes():  # SHARE-FORWARD
    layer = nn.Linear(2, 3, key=jax.random.key(0))
    ref = nn.Reference('l', layer)
    x = jnp.ones(2)
    assert (ref(x) == layer(x)).all()
    assert ref.weight is layer.weight
    ref.extra = 1
    assert layer.extra == 1
    del ref.extra
    assert not hasattr(layer, 'extra')
    with pytest.raises(TypeError):
        ref[0]  # pyright: ignore[reportIndexIssue] (indexing is not forwarded: under test)


def test_repr_marks_first_and_later_occurrences():  # SHARE-REPR
    ref = nn.Reference('w', param())
    assert repr(ref) == '*Parameter(float32[2])'
    scope = nn.Scope(a=ref, b=ref)
    assert repr(scope) == 'Scope(\n  a = *Parameter(float32[2]),\n  b = @w\n)'
    cyclic = Chain(2, cyclic=True)
    assert repr(cyclic).count('*Module(') == 2 and '      next = @0,\n' in repr(cyclic)
    unscoped = nn.Module()
    unscoped.self = nn.Reference('me', unscoped)
    assert repr(unscoped) == 'Module(\n  self = *<cycle: Module>\n)'
    ref = nn.Reference('me', nn.Module())
    ref.value.back = ref
    assert repr(ref) == '*Module(\n  back = @me\n)'
