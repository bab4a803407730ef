r"""PART-* rules."""

import gc

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import inox.fast.nn as fast_nn
import inox.nn as nn
from inox.tree import LeafSpecError, PartitionKeyError


def model():
    shared = nn.Reference('emb', nn.Parameter(jnp.ones((4, 2))))
    scope = nn.Scope(
        embed=shared,
        head=nn.Module(weight=shared, scale=jnp.ones(1), frozen=nn.Parameter(jnp.zeros(3))),
        stats=jnp.zeros(2),
    )
    scope.head.frozen.frozen = True
    return scope


def test_keys_are_canonical_paths():  # PART-KEYS
    static, params, others = model().partition(nn.Parameter)
    assert list(params) == ['.embed.value.value', '.head.frozen.value']
    assert list(others) == ['.head.scale', '.stats']


def test_the_ancestor_closest_to_the_root_decides():  # PART-FILTERS
    def frozen(x):
        return getattr(x, 'frozen', False) is True

    static, modules, params, rest = model().partition(nn.Module, nn.Parameter)
    assert len(modules) == 4 and params == {} and rest == {}  # the scope is a Module
    static, fz, params, rest = model().partition(frozen, nn.Parameter)
    assert list(fz) == ['.head.frozen.value']
    assert list(params) == ['.embed.value.value']
    static, arrays, rest = model().partition(jax.Array)
    assert len(arrays) == 4 and rest == {}
    with pytest.raises(TypeError, match='a filter must be a type or a predicate, got int'):
        model().partition(3)  # pyright: ignore[reportArgumentType] (the wrong filter under test)


def test_combine_restores_ties_from_any_split():  # PART-ROUNDTRIP
    static, params, others = model().partition(nn.Parameter)
    everything = {**params, **others}
    for parts in [(params, others), (everything,), (others, params, {})]:
        again = static(*parts)
        assert again.embed is again.head.weight
    assert static == model().partition(nn.Parameter)[0]
    assert hash(static) == hash(model().partition(nn.Parameter)[0])


def test_missing_and_unexpected_keys_are_all_named():  # PART-ERRORS
    static, params, others = model().partition(nn.Parameter)
    params.pop('.embed.value.value')
    others['.nope'] = jnp.ones(1)
    with pytest.raises(PartitionKeyError) as info:
        static(params, others)
    message = str(info.value)
    assert "missing keys ['.embed.value.value']" in message
    assert "unexpected keys ['.nope']" in message


def test_wrong_shape_and_dtype_are_all_named():  # PART-ERRORS
    static, params, others = model().partition(nn.Parameter)
    params['.embed.value.value'] = jnp.ones((2, 4))
    others['.stats'] = jnp.zeros(2, dtype=jnp.int32)
    with pytest.raises(LeafSpecError) as info:
        static(params, others)
    message = str(info.value)
    assert '.embed.value.value: expected float32[4, 2], got float32[2, 4]' in message
    assert '.stats: expected float32[2], got int32[2]' in message


def test_a_definition_is_a_static_argument_of_jit():  # PART-ROUNDTRIP
    static, params, others = model().partition(nn.Parameter)
    assert jax.tree_util.tree_leaves(static) == []
    traces = []

    @jax.jit
    def total(static, params, others):
        traces.append(static)
        return static(params, others).embed.value().sum()

    assert total(static, params, others) == 8.0
    assert total(*model().partition(nn.Parameter)) == 8.0  # an equal definition: no new trace
    assert len(traces) == 1


@pytest.mark.parametrize('classes', [nn, fast_nn])
def test_partition_and_combine_pause_the_collector(classes):
    # Both make an object or two per leaf (its spec, its entry): with the collector on, a
    # large tree's partition triggers full collections of the whole heap.
    seen = []

    class Probe(np.ndarray):  # a leaf that records whether the collector runs when its shape is read
        @property
        def shape(self):  # pyright: ignore[reportIncompatibleMethodOverride] (read, never set, here)
            seen.append(gc.isenabled())
            return super().shape

    definition, rest = classes.Module(a=np.zeros(1).view(Probe)).partition()
    definition(rest)
    assert seen == [False, False] and gc.isenabled()
