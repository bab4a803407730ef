r"""STATE-* rules."""

import jax.numpy as jnp
import pytest

import inox.nn as nn


def test_shared_entry_is_exported_once():  # STATE-EXPORT
    entry = nn.Reference('stats', nn.StateEntry(jnp.zeros(2)))
    scope = nn.Scope(a=entry, b=nn.Module(stats=entry), w=nn.Parameter(jnp.ones(1)))
    scope, state = nn.export_state(scope)
    assert list(state) == [nn.StateKey('.a.value')]
    assert scope.a is scope.b.stats and scope.a.value == nn.StateKey('.a.value')
    assert state[scope.b.stats].tolist() == [0.0, 0.0]


def test_update_through_a_reference():  # STATE-UPDATE
    entry = nn.Reference('stats', nn.StateEntry(jnp.zeros(2)))
    scope, state = nn.export_state(nn.Scope(a=entry, b=entry))
    new = nn.update_state(state, {scope.b: state[scope.a] + 1})
    assert new[scope.a].tolist() == [1.0, 1.0]
    assert state[scope.a].tolist() == [0.0, 0.0]
    with pytest.raises(KeyError, match=r"unknown state keys \[StateKey\(key='.c'\)\]"):
        nn.update_state(state, {nn.StateKey('.c'): 1})
